using System.Buffers.Binary;
using QuantGen.IO;
using QuantGen.IO.Qgm;

namespace QuantGen.Tests.IO.Fuzzing;

/// <summary>
/// Ways a .qgm file goes wrong. Byte damage and header edits leave the checksum as it was, as a bad copy does; the
/// others edit the tensors or the metadata and then recompute the checksum, as a buggy or hostile writer would, so that
/// the checks behind the checksum are what they meet: values a kernel cannot take (scales that are not finite,
/// zero, tiny or huge, zero points out of range), tensors missing, renamed, reshaped or retyped, metadata with
/// unpaired surrogates, unknown layers and kinds, and other versions and modes.
/// </summary>
internal sealed class QgmMutations(byte[] original)
{
    private static readonly float[] Floats =
    [
        float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.Epsilon, 1e-38f, 1e-30f, 1f / (1L << 33),
        1f / (1L << 32), 1L << 32, 1L << 33, 1e30f, float.MaxValue, -1f, -0.5f, 1e-3f, 1e3f,
    ];

    private static readonly int[] Ints = [int.MinValue, int.MaxValue, -1, -129, -128, 127, 128, 255, 256, 0, 1 << 24];

    private static readonly string[] Kinds =
        ["Identity", "QuantizeStep", "DequantizeStep", "QuantizedConv2d", "QuantizedLinear", "QuantizedAdd", "FloatIsland", "DynamicQuantizedLinear", "UncalibratedLayer", "Nope", ""];

    private static readonly string[] Surrogates = ["\\ud800", "\\udfff", "\\udc00\\ud800"];

    private readonly StateDict dict = SafeTensors.Read(original);
    private readonly int headerEnd = 8 + SafeTensorsFiles.HeaderLength(original);

    public (byte[] File, string Mutation) Next(Random random)
    {
        byte[] file = (byte[])original.Clone();
        switch (random.Next(20))
        {
            case < 3: return (file, ByteMutations.FlipBytes(file, random, headerEnd));
            case 3: return (file, ByteMutations.Truncate(ref file, random, headerEnd));
            case 4: return (file, ByteMutations.EditLengthPrefix(file, random));
            case < 7: return HeaderMutations.Apply(file, random);
            case < 12: return Resealed(random, EditValue);
            case < 15: return Resealed(random, EditTensor);
            default: return Resealed(random, EditMetadata);
        }
    }

    /// <summary>The file's tensors (in order) and metadata, for an edit to change before the file is written again.</summary>
    private sealed class Contents(StateDict dict)
    {
        public List<(string Key, TensorData Value)> Tensors { get; } = dict.Select(t => (t.Key, t.Value)).ToList();

        public Dictionary<string, string> Metadata { get; } = new(dict.Metadata, StringComparer.Ordinal);

        public List<string> Keys => Tensors.Select(t => t.Key).ToList();

        public int IndexOf(string key) => Tensors.FindIndex(t => t.Key == key);

        public StateDict ToStateDict()
        {
            var result = new StateDict();
            foreach (var (key, value) in Tensors) result.Add(key, value);
            foreach (var (key, value) in Metadata) result.Metadata[key] = value;
            return result;
        }
    }

    private delegate string Edit(Contents contents, Random random);

    private (byte[], string) Resealed(Random random, Edit edit)
    {
        var contents = new Contents(dict);
        string mutation = edit(contents, random);
        var copy = contents.ToStateDict();
        copy.Metadata[QgmFormat.ChecksumKey] = QgmChecksum.Of(copy);
        return (SafeTensors.Serialize(copy), mutation + ", resealed");
    }

    /// <summary>One value of one tensor replaced; scales and zero points are picked more often than weights.</summary>
    private static string EditValue(Contents copy, Random random)
    {
        var keys = copy.Keys;
        var qparams = keys.Where(k => k.EndsWith("scale", StringComparison.Ordinal) || k.EndsWith("zero_point", StringComparison.Ordinal)).ToList();
        string key = random.Next(4) > 0 ? Pick(qparams, random) : Pick(keys, random);
        int index = copy.IndexOf(key);
        TensorData tensor = copy.Tensors[index].Value;
        if (tensor.Bytes.Length == 0) return $"{key} is empty: unchanged";
        byte[] bytes = tensor.Bytes.ToArray();
        int size = tensor.DType.SizeInBytes();
        int at = random.Next(bytes.Length / size) * size;
        string value;
        switch (tensor.DType)
        {
            case DType.F32:
                float before = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at));
                float f = random.Next(3) == 0 ? before * MathF.Pow(2, random.Next(-60, 61)) : Floats[random.Next(Floats.Length)];
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), f);
                value = f.ToString("R");
                break;
            case DType.I32:
                int i = Ints[random.Next(Ints.Length)];
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), i);
                value = i.ToString();
                break;
            default:
                bytes[at] = (byte)random.Next(256);
                value = $"0x{bytes[at]:X2}";
                break;
        }
        copy.Tensors[index] = (key, new TensorData(tensor.DType, tensor.Shape, bytes));
        return $"{key}[{at / size}] = {value}";
    }

    /// <summary>One tensor dropped, renamed, reshaped, retyped, or an extra one (empty, of a huge shape with a zero) added.</summary>
    private static string EditTensor(Contents copy, Random random)
    {
        int index = random.Next(copy.Tensors.Count);
        var (key, tensor) = copy.Tensors[index];
        switch (random.Next(6))
        {
            case 0:
                copy.Tensors.RemoveAt(index);
                return $"dropped {key}";
            case 1:
            {
                string renamed = random.Next(2) == 0 ? key + ".x" : "x." + key;
                copy.Tensors[index] = (renamed, tensor);
                return $"renamed {key} to {renamed}";
            }
            case 2:
            {
                int n = (int)tensor.Shape.ElementCount;
                Shape[] shapes = [new Shape(n), new Shape(1, n), new Shape(n, 1), new Shape()];
                Shape shape = shapes.Where(s => s.ElementCount == n && s != tensor.Shape).DefaultIfEmpty(new Shape(n, 1)).ElementAt(0);
                copy.Tensors[index] = (key, new TensorData(tensor.DType, shape, tensor.Bytes.ToArray()));
                return $"reshaped {key} {tensor.Shape} -> {shape}";
            }
            case 3:
            {
                // The same bytes read as another dtype of the same width (F32 <-> I32, I8 <-> U8), or halved to F16.
                var (dtype, shape) = tensor.DType switch
                {
                    DType.F32 => (DType.I32, tensor.Shape),
                    DType.I32 => (DType.F32, tensor.Shape),
                    DType.I8 => (DType.U8, tensor.Shape),
                    _ => (DType.I8, tensor.Shape),
                };
                copy.Tensors[index] = (key, new TensorData(dtype, shape, tensor.Bytes.ToArray()));
                return $"retyped {key} {tensor.DType} -> {dtype}";
            }
            case 4:
            {
                var shape = new Shape(int.MaxValue, int.MaxValue, int.MaxValue, 0);
                string name = random.Next(2) == 0 ? key : "conv1.extra";
                if (name == key) copy.Tensors.RemoveAt(index);
                copy.Tensors.Add((name, new TensorData(tensor.DType, shape, [])));
                return $"{name} as an empty {shape}";
            }
            default:
                copy.Tensors.Add(("extra", TensorData.FromFloat32(new Shape(1), [1f])));
                return "added a tensor 'extra'";
        }
    }

    /// <summary>One metadata entry edited: inside the JSON maps (substitutes, fusions) or as a whole value.</summary>
    private static string EditMetadata(Contents copy, Random random)
    {
        var metadata = copy.Metadata;
        string key = Pick(metadata.Keys.Where(k => k != QgmFormat.ChecksumKey).ToList(), random);
        string value = metadata[key];
        string edited;
        bool isMap = key is QgmFormat.SubstitutesKey or QgmFormat.FusionsKey;
        switch (random.Next(isMap ? 8 : 4))
        {
            case 0:
                metadata.Remove(key);
                return $"removed metadata \"{key}\"";
            case 1:
                edited = Pick(["", "1", "2", "0", "01", "-1", " 1", "999999999999", "static", "dynamic", "quantgen.qgm", "{}", "null"], random);
                break;
            case 2:
            {
                int at = random.Next(value.Length + 1);
                edited = value.Insert(at, ((char)random.Next(32, 127)).ToString());
                break;
            }
            case 3:
                edited = value.Length == 0 ? value : value.Remove(random.Next(value.Length), 1);
                break;
            case 4:
            {
                // An unpaired surrogate escaped inside the map's JSON: the outer string is valid, the inner one not.
                var quotes = value.Select((c, i) => (c, i)).Where(p => p.c == '"').Select(p => p.i).ToList();
                int at = quotes[random.Next(quotes.Count)] + 1;
                edited = value.Insert(at, Pick(Surrogates, random));
                break;
            }
            case 5:
            {
                // One layer's value replaced with another kind (or a fusion spelling).
                var values = System.Text.RegularExpressions.Regex.Matches(value, ":\"([^\"]*)\"");
                var match = values[random.Next(values.Count)];
                string kind = Pick(Kinds.Concat(["BatchNorm2d", "ReLU", "ReLU6", "BatchNorm2d+ReLU", "ReLU+ReLU"]).ToArray(), random);
                edited = value.Remove(match.Index, match.Length).Insert(match.Index, $":\"{kind}\"");
                break;
            }
            case 6:
                edited = value.Insert(1, Pick(["\"nowhere\":\"Identity\",", "\"conv1\":\"Identity\",", "\"\":\"QuantizeStep\",", "\"fc2\":1,", "\"a.b.c\":\"ReLU\","], random));
                break;
            default:
                edited = Pick(["[]", "{", "{\"a\":", "1", "\"\"", "{\"fc1\":null}"], random);
                break;
        }
        metadata[key] = edited;
        return $"metadata \"{key}\": {Truncate(value)} -> {Truncate(edited)}";
    }

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..60] + "…";

    private static T Pick<T>(IReadOnlyList<T> values, Random random) => values[random.Next(values.Count)];
}
