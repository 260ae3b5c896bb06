using BenchmarkDotNet.Attributes;
using QuantGen.Compiled;
using QuantGen.Kernels.Reference;

namespace QuantGen.Bench;

/// <summary>
/// The input quantize of a generated pass at ImageNet size, one 3×224×224 float NCHW image → quint8 NHWC: the kernel
/// (three planes quantized and interleaved in registers) against the value-by-value loop it replaced.
/// </summary>
[MemoryDiagnoser]
public class InputQuantizeBenchmarks
{
    private const int Channels = 3, Pixels = 224 * 224;
    private readonly ActivationQParams q = new(0.0186f, 114);
    private float[] input = null!;
    private byte[] output = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        input = new float[Channels * Pixels];
        for (int i = 0; i < input.Length; i++) input[i] = random.NextSingle() * 4.5f - 2.1f;
        output = new byte[input.Length];
    }

    [Benchmark(Baseline = true, Description = "value by value (before)")]
    public void ValueByValue()
    {
        for (int c = 0; c < Channels; c++)
        {
            for (int p = 0; p < Pixels; p++) output[p * Channels + c] = Quantize.ToUInt8(input[c * Pixels + p], q);
        }
    }

    [Benchmark(Description = "ChannelsLast.Quantize (SIMD)")]
    public void Simd() => ChannelsLast.Quantize(input, q, Channels, Pixels, output);
}
