using QuantGen.Kernels;
using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Kernels.Reference;

public sealed class QLinearTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 7, 3)]
    [InlineData(3, 33, 17)]
    [InlineData(5, 100, 10)]
    [InlineData(4, 784, 32)]
    [InlineData(16, 32, 10)]
    public void MatchesBruteForce(int batch, int inFeatures, int outFeatures)
    {
        var random = new Random(batch * 1000 + inFeatures * 10 + outFeatures);
        int variant = 0;
        foreach (bool perChannel in new[] { false, true })
        foreach (bool withBias in new[] { true, false })
        foreach (FusedActivation activation in Enum.GetValues<FusedActivation>())
        {
            Check(random, batch, inFeatures, outFeatures, perChannel, affine: variant++ % 4 == 3, withBias, activation);
        }
    }

    [Fact]
    public void SaturatesAtTheExtremes()
    {
        const int inFeatures = 5000;
        var q = new ActivationQParams(0.05f, 0);
        byte[] input = Enumerable.Repeat((byte)255, inFeatures).ToArray();
        sbyte[] weight = [.. Enumerable.Repeat(sbyte.MaxValue, inFeatures), .. Enumerable.Repeat(sbyte.MinValue, inFeatures)];
        var output = new byte[2];

        // 255·127·5000 ≈ 1.6·10⁸: past 2²⁴, so the float conversion rounds, and far past the output range either way.
        QLinear.Forward(input, q, weight, WeightQParams.PerTensor(0.01f), [], 1, inFeatures, 2, new ActivationQParams(0.5f, 7), FusedActivation.None, output);
        Assert.Equal(new byte[] { 255, 0 }, output);

        // A multiplier that brings the same accumulators back inside the range, where the float32 steps decide.
        var outputQ = new ActivationQParams(0.05f * 0.01f * 255 * 127 * inFeatures / 100f, 120);
        QLinear.Forward(input, q, weight, WeightQParams.PerTensor(0.01f), [], 1, inFeatures, 2, outputQ, FusedActivation.None, output);
        float multiplier = 0.01f * 0.05f * (1f / outputQ.Scale);
        long accumulator = 255L * 127 * inFeatures;
        Assert.Equal(Expected.Requantized(accumulator, multiplier, 120, 0, 255), output[0]);
        Assert.Equal(Expected.Requantized(-255L * 128 * inFeatures, multiplier, 120, 0, 255), output[1]);
        Assert.InRange(output[0], 215, 225);
    }

    [Fact]
    public void RejectsMismatchedArguments()
    {
        var q = new ActivationQParams(0.1f, 0);
        Assert.Throws<ShapeMismatchException>(() => QLinear.Forward(new byte[5], q, new sbyte[6], WeightQParams.PerTensor(0.1f), [], 2, 3, 2, q, FusedActivation.None, new byte[4]));
        Assert.Throws<ShapeMismatchException>(() => QLinear.Forward(new byte[6], q, new sbyte[6], WeightQParams.PerChannel([0.1f]), [], 2, 3, 2, q, FusedActivation.None, new byte[4]));
        Assert.Throws<ShapeMismatchException>(() => QLinear.Forward(new byte[6], q, new sbyte[6], WeightQParams.PerTensor(0.1f), [1], 2, 3, 2, q, FusedActivation.None, new byte[4]));
    }

    private static void Check(Random random, int batch, int inFeatures, int outFeatures, bool perChannel, bool affine, bool withBias, FusedActivation activation)
    {
        byte[] input = QuantizedData.Bytes(random, batch * inFeatures);
        sbyte[] weight = QuantizedData.SBytes(random, outFeatures * inFeatures);
        var inputQ = QuantizedData.Activation(random, 0.005, 0.05);
        var weightQ = QuantizedData.Weights(random, outFeatures, perChannel, affine);
        int[] bias = QuantizedData.Bias(random, outFeatures, inFeatures, withBias);
        var outputQ = new ActivationQParams(QuantizedData.OutputScale(random, inputQ.Scale, weightQ.Scale(0), inFeatures, spread: 80), random.Next(256));
        var output = QuantizedData.Poisoned(batch * outFeatures);

        QLinear.Forward(input, inputQ, weight, weightQ, bias, batch, inFeatures, outFeatures, outputQ, activation, output);

        long[] accumulators = ExactAccumulators.Linear(input, inputQ.ZeroPoint, weight, weightQ, bias, batch, inFeatures, outFeatures);
        (int min, int max) = QConv2dTests.ExpectedRange(activation, outputQ);
        for (int i = 0; i < output.Length; i++)
        {
            int o = i % outFeatures;
            float multiplier = weightQ.Scale(o) * inputQ.Scale * (1f / outputQ.Scale);
            int expected = Expected.Requantized(accumulators[i], multiplier, outputQ.ZeroPoint, min, max);
            Assert.True(expected == output[i],
                $"[{batch}, {inFeatures}] → {outFeatures}, perChannel={perChannel}, affine={affine}, bias={withBias}, {activation}: output {i} is {output[i]}, expected {expected}");
        }
    }
}
