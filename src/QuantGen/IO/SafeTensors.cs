using System.Buffers.Binary;

namespace QuantGen.IO;

/// <summary>
/// Reads and writes Hugging Face's safetensors format, the way PyTorch state dicts travel to QuantGen:
/// an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// (<c>{"__metadata__": {..}, "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..}</c>),
/// then the data buffer the offsets point into.
/// </summary>
/// <remarks>
/// Reading trusts nothing in the file: every number is checked against the file's real size before it
/// sizes an allocation, and every problem is a <see cref="SafeTensorsException"/> naming the file, the
/// tensor and what was expected. Tensors come back in header order, which is the state dict's order for
/// files written by <see cref="Save"/> and by PyTorch exporters that keep it.
/// </remarks>
public static class SafeTensors
{
    private const int LengthPrefixSize = sizeof(ulong);

    /// <summary>Reads a whole safetensors file (up to 2 GB); the result's <see cref="StateDict.Source"/> is <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist (other I/O errors also pass through as they are).</exception>
    /// <exception cref="SafeTensorsException">The file is not valid safetensors, or holds a dtype QuantGen does not read.</exception>
    public static StateDict Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        if (file.Length > Array.MaxLength)
        {
            throw new SafeTensorsException(path, null,
                $"the file is {file.Length} bytes; QuantGen reads safetensors files of up to {Array.MaxLength} bytes");
        }
        byte[] bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        return Read(bytes, path);
    }

    /// <summary>Reads safetensors content from memory; <paramref name="sourceName"/> names it in errors and becomes <see cref="StateDict.Source"/>.</summary>
    /// <exception cref="SafeTensorsException">The bytes are not valid safetensors, or hold a dtype QuantGen does not read.</exception>
    public static StateDict Read(ReadOnlySpan<byte> bytes, string? sourceName = null)
    {
        if (bytes.Length < LengthPrefixSize)
        {
            throw new SafeTensorsException(sourceName, null,
                $"the content is {bytes.Length} bytes long; expected at least the {LengthPrefixSize}-byte header length");
        }
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        int available = bytes.Length - LengthPrefixSize;
        if (headerLength > (ulong)available)
        {
            throw new SafeTensorsException(sourceName, null,
                $"the header length is {headerLength} bytes, but only {available} bytes follow the length prefix; expected at most {available}");
        }

        ReadOnlySpan<byte> json = bytes.Slice(LengthPrefixSize, (int)headerLength);
        ReadOnlySpan<byte> data = bytes[(LengthPrefixSize + (int)headerLength)..];
        var header = SafeTensorsHeader.Parse(json, data.Length, sourceName);
        SafeTensorsLayout.CheckCoverage(header.Entries, data.Length, sourceName);

        var dict = new StateDict(sourceName);
        foreach (var (key, value) in header.Metadata) dict.Metadata.Add(key, value);
        foreach (SafeTensorsEntry entry in header.Entries)
        {
            byte[] tensorBytes = data.Slice((int)entry.Begin, (int)entry.ByteLength).ToArray();
            dict.Add(entry.Name, new TensorData(entry.DType, entry.Shape, tensorBytes));
        }
        return dict;
    }

    /// <summary>Writes <paramref name="dict"/> to a file, replacing any file at <paramref name="path"/>.</summary>
    public static void Save(string path, StateDict dict)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(dict);
        byte[] header = SafeTensorsHeaderWriter.Write(dict, out _);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        WriteParts(file, header, dict);
    }

    /// <summary>Writes <paramref name="dict"/> in safetensors format to <paramref name="stream"/> (left open).</summary>
    public static void Write(Stream stream, StateDict dict)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(dict);
        WriteParts(stream, SafeTensorsHeaderWriter.Write(dict, out _), dict);
    }

    /// <summary>The safetensors bytes of <paramref name="dict"/>: tensors in its order, its metadata as <c>__metadata__</c>.</summary>
    public static byte[] Serialize(StateDict dict)
    {
        ArgumentNullException.ThrowIfNull(dict);
        byte[] header = SafeTensorsHeaderWriter.Write(dict, out long dataLength);
        long total = LengthPrefixSize + header.Length + dataLength;
        if (total > Array.MaxLength)
        {
            throw new SafeTensorsException(dict.Source, null,
                $"the serialized state dict would be {total} bytes, more than one array holds; use Save or Write(Stream) instead");
        }

        byte[] bytes = new byte[total];
        using var stream = new MemoryStream(bytes);
        WriteParts(stream, header, dict);
        return bytes;
    }

    private static void WriteParts(Stream stream, byte[] header, StateDict dict)
    {
        Span<byte> prefix = stackalloc byte[LengthPrefixSize];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (TensorData tensor in dict.Values) stream.Write(tensor.Bytes);
    }
}
