using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>
/// The generated dynamic pass's linear kernel against the reference <see cref="DynamicQLinear"/> (PyTorch's qnnpack
/// arithmetic) run on one sample at a time, bit for bit: per-tensor and per-channel weights with zero points, ReLU,
/// several rows per sample (Linear over [T, F], quantized together), lengths off the vector width, and sums large
/// enough to wrap in int32.
/// </summary>
public sealed class Int8DynamicLinearTests
{
    [Theory]
    [InlineData(3, 1, 784, 64, false, false)]
    [InlineData(2, 28, 28, 16, true, false)]
    [InlineData(5, 3, 33, 17, false, true)]
    [InlineData(1, 1, 1, 1, true, true)]
    [InlineData(4, 2, 70000, 3, false, false)]
    public void Equals_the_reference_one_sample_at_a_time(int samples, int rows, int inFeatures, int outFeatures, bool perChannel, bool relu)
    {
        var random = new Random(inFeatures * 31 + outFeatures);
        // Over 70,000 features, weights of 127 and inputs near the top of their range make Σ x·w pass 2³¹: it wraps, as PyTorch's int32 sums do.
        bool wraps = inFeatures > 10000;
        var weight = new sbyte[outFeatures * inFeatures];
        for (int i = 0; i < weight.Length; i++) weight[i] = wraps ? (sbyte)127 : (sbyte)random.Next(-128, 128);
        WeightQParams weightQ = perChannel
            ? WeightQParams.PerChannel(Enumerable.Range(0, outFeatures).Select(_ => 0.001f + random.NextSingle() * 0.01f).ToArray(),
                Enumerable.Range(0, outFeatures).Select(_ => random.Next(-5, 6)).ToArray())
            : WeightQParams.PerTensor(0.0042f, 3);
        float[] bias = Enumerable.Range(0, outFeatures).Select(_ => random.NextSingle() - 0.5f).ToArray();
        float[] input = Enumerable.Range(0, samples * rows * inFeatures).Select(_ => wraps ? 10f - random.NextSingle() * 0.1f : (random.NextSingle() - 0.3f) * 4f).ToArray();

        var expected = new float[samples * rows * outFeatures];
        for (int s = 0; s < samples; s++)
        {
            DynamicQLinear.Forward(input.AsSpan(s * rows * inFeatures, rows * inFeatures), weight, weightQ, bias, rows, inFeatures, outFeatures, relu,
                expected.AsSpan(s * rows * outFeatures, rows * outFeatures));
        }

        var kernel = new Int8DynamicLinear(weight, weightQ, bias, inFeatures, outFeatures, rows, relu ? FusedActivation.ReLU : FusedActivation.None);
        var actual = new float[expected.Length];
        kernel.Forward(input, actual, samples);
        var forked = new float[expected.Length];
        kernel.Fork().Forward(input, forked, samples);

        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(forked[i]));
        }
    }

    [Fact]
    public void A_non_finite_input_is_an_ArgumentException()
    {
        var kernel = new Int8DynamicLinear(new sbyte[2], WeightQParams.PerTensor(0.1f), null, 2, 1, 1, FusedActivation.None);
        Assert.Throws<ArgumentException>(() => kernel.Forward([1f, float.NaN], new float[1], 1));
    }
}
