using System.Text.Json;
using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Decoder;

/// <summary>Fixtures/decoder_ops.json (made by decoder_ops.py with PyTorch 1.13, engine qnnpack), read by section.</summary>
internal static class DecoderFixture
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "decoder_ops.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static JsonElement Case(string section, int index) => Root.GetProperty(section)[index];

    public static int Count(string section) => Root.GetProperty(section).GetArrayLength();

    public static TheoryData<int> Indices(string section) => [.. Enumerable.Range(0, Count(section))];

    public static float[] Floats(this JsonElement c, string name)
    {
        byte[] bytes = System.Convert.FromBase64String(c.GetProperty(name).GetString()!);
        var values = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    public static byte[] Bytes(this JsonElement c, string name) => System.Convert.FromHexString(c.GetProperty(name).GetString()!);

    public static int[] Shape(this JsonElement c, string name) => [.. c.GetProperty(name).EnumerateArray().Select(v => v.GetInt32())];

    public static ActivationQParams QParams(this JsonElement c, string prefix) =>
        new(c.GetProperty(prefix + "_scale").GetSingle(), c.GetProperty(prefix + "_zero_point").GetInt32());

    public static Tensor Tensor(this JsonElement c, string values, string shape) => QuantGen.Tensor.FromArray(c.Floats(values), c.Shape(shape));

    /// <summary>
    /// An observed output's qparams: the zero point equal and the scale equal or one float step away. The observer sees
    /// our float forward, which sums in another order than PyTorch's CPU kernel (within 1e-5), so its extremes, and the
    /// scale computed from them, may differ in the last bit; fed PyTorch's own outputs, the observers agree exactly
    /// (ActivationObserverParityTests, FloatIslandOpTests).
    /// </summary>
    public static void SameObservedQParams(ActivationQParams expected, ActivationQParams actual, string what)
    {
        Assert.True(expected.ZeroPoint == actual.ZeroPoint && Math.Abs(BitConverter.SingleToInt32Bits(expected.Scale) - BitConverter.SingleToInt32Bits(actual.Scale)) <= 1,
            $"{what}: observed {actual}, PyTorch {expected}");
    }

    /// <summary>Every value within <paramref name="tolerance"/>, naming the first that is not.</summary>
    public static void Near(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what} [{i}]: ours {actual[i]:R}, PyTorch {expected[i]:R}");
        }
    }

    /// <summary>The bytes equal, or the first few that differ.</summary>
    public static void SameBytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var differ = new List<string>();
        for (int i = 0; i < expected.Length && differ.Count < 5; i++)
        {
            if (expected[i] != actual[i]) differ.Add($"[{i}] PyTorch {expected[i]}, ours {actual[i]}");
        }
        Assert.True(differ.Count == 0, $"{what}: {string.Join("; ", differ)}");
    }

    /// <summary>Every byte within one step; returns how many differ.</summary>
    public static int WithinOneStep(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int differ = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1, $"{what} [{i}]: PyTorch {expected[i]}, ours {actual[i]}");
            if (expected[i] != actual[i]) differ++;
        }
        return differ;
    }
}
