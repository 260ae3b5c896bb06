using QuantGen.Compiled;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Tests.Kernels.Int8;
using Xunit.Abstractions;

namespace QuantGen.Tests.Compiled;

/// <summary>
/// The input quantize of a generated pass (float NCHW → quint8 NHWC): three channels quantized and interleaved in
/// registers, any other count blocked and vectorized, against PyTorch's quantize of each value stored transposed,
/// value by value.
/// </summary>
public sealed class ChannelsLastTests(ITestOutputHelper output)
{
    /// <summary>Three channels on each path: sixteen values a register on zmm (AVX-512BW, AVX-VNNI), two on ymm (AVX2).</summary>
    [Theory]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void Three_channels_on_each_path_equal_the_value_by_value_reference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        Quantize_to_channels_last_equals_the_value_by_value_reference(3, 224 * 224, 1);
        Quantize_to_channels_last_equals_the_value_by_value_reference(3, 1367, 2);
        Quantize_to_channels_last_equals_the_value_by_value_reference(3, 21, 3);
    }

    [Theory]
    [InlineData(3, 224 * 224, 1)]     // an ImageNet image
    [InlineData(3, 1365, 2)]          // a block boundary (4096 / 3 = 1365 pixels) and a partial last block
    [InlineData(3, 1367, 2)]
    [InlineData(3, 5, 2)]             // three channels, fewer pixels than one step of sixteen
    [InlineData(2, 17, 3)]            // below one vector
    [InlineData(16, 257, 1)]
    [InlineData(5000, 2, 2)]          // more channels than a block holds: value by value
    [InlineData(1, 784, 2)]           // one channel: the bytes are NCHW's
    [InlineData(8, 1, 4)]             // one pixel: likewise
    public void Quantize_to_channels_last_equals_the_value_by_value_reference(int channels, int pixels, int samples)
    {
        var random = new Random(channels * 31 + pixels);
        var input = new float[channels * pixels * samples];
        for (int i = 0; i < input.Length; i++) input[i] = random.NextSingle() * 6 - 2.5f;
        // The saturating edges, a tie at half a step, and NaN, which PyTorch's quantize sends to qmin.
        float[] edges = [-1e9f, 1e9f, float.NaN, 0f, -0f, 0.5f * 0.0235f, float.PositiveInfinity, float.NegativeInfinity];
        for (int i = 0; i < edges.Length && i < input.Length; i++) input[input.Length - 1 - i * 7 % input.Length] = edges[i];
        var q = new ActivationQParams(0.0235f, 107);

        var expected = new byte[input.Length];
        int sample = channels * pixels;
        for (int s = 0; s < input.Length; s += sample)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int p = 0; p < pixels; p++) expected[s + p * channels + c] = Quantize.ToUInt8(input[s + c * pixels + p], q);
            }
        }

        var actual = new byte[input.Length];
        ChannelsLast.Quantize(input, q, channels, pixels, actual);

        Assert.Equal(expected, actual);
        Assert.True(actual.Distinct().Count() > Math.Min(100, input.Length / 4), "the bytes should span the range");
    }
}
