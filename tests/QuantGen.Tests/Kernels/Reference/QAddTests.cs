using QuantGen.Kernels;
using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Kernels.Reference;

public sealed class QAddTests
{
    /// <summary>
    /// Elements where PyTorch 1.13's qnnpack add differs from rounding the exact float sum — the fixed-point
    /// multipliers move the value across a halfway point, or break the tie away from zero. "pytorch" is what
    /// <c>torch.ops.quantized.add</c> returned; the float formula gives one more or one less.
    /// </summary>
    [Theory]
    [InlineData(0.162f, 113, 0.403f, 250, 1.338f, 88, 243, 133, 68)]
    [InlineData(0.156f, 80, 0.805f, 51, 1.026f, 219, 230, 6, 206)]
    [InlineData(0.565f, 63, 0.181f, 86, 1.382f, 123, 198, 12, 168)]
    [InlineData(0.201f, 239, 0.817f, 50, 0.17f, 86, 100, 92, 124)]
    public void MatchesPyTorchWhereTheFloatFormulaDoesNot(
        float aScale, int aZeroPoint, float bScale, int bZeroPoint, float outScale, int outZeroPoint, byte a, byte b, byte pytorch)
    {
        var output = new byte[1];
        QAdd.Forward([a], new(aScale, aZeroPoint), [b], new(bScale, bZeroPoint), new(outScale, outZeroPoint), FusedActivation.None, output);
        Assert.Equal(pytorch, output[0]);

        double exact = (aScale * (double)(a - aZeroPoint) + bScale * (double)(b - bZeroPoint)) / outScale;
        Assert.Equal(1, Math.Abs(outZeroPoint + Expected.RoundHalfEven(exact) - pytorch));
    }

    [Fact]
    public void MatchesTheFixedPointRuleOnRandomTensors()
    {
        var random = new Random(13);
        for (int trial = 0; trial < 300; trial++)
        {
            var aQ = QuantizedData.Activation(random, 0.01, 1);
            var bQ = trial % 4 == 0 ? aQ : QuantizedData.Activation(random, 0.01, 1);
            var outQ = trial % 5 == 0
                ? new ActivationQParams(aQ.Scale, random.Next(256)) // ratio 1: exact halfway cases
                : QuantizedData.Activation(random, Math.Max(aQ.Scale, bQ.Scale) * 0.3, Math.Max(aQ.Scale, bQ.Scale) * 3);
            var activation = (FusedActivation)random.Next(3);
            byte[] a = QuantizedData.Bytes(random, 257), b = QuantizedData.Bytes(random, 257);
            var output = QuantizedData.Poisoned(257);

            QAdd.Forward(a, aQ, b, bQ, outQ, activation, output);

            (long aMultiplier, long bMultiplier, int shift) = FixedPoint(aQ.Scale / outQ.Scale, bQ.Scale / outQ.Scale);
            (int min, int max) = QConv2dTests.ExpectedRange(activation, outQ);
            for (int i = 0; i < a.Length; i++)
            {
                long accumulator = aMultiplier * (a[i] - aQ.ZeroPoint) + bMultiplier * (b[i] - bQ.ZeroPoint);
                // A power-of-two division is exact in double, so Math.Round sees the true halfway cases.
                double y = outQ.ZeroPoint + Math.Round(accumulator / Math.Pow(2, shift), MidpointRounding.AwayFromZero);
                int expected = (int)Math.Clamp(y, min, max);
                Assert.True(expected == output[i], $"trial {trial}, element {i}: {output[i]}, expected {expected}");

                // And the fixed-point result stays within one step of the exact real sum.
                double ideal = outQ.ZeroPoint + (aQ.Scale * (double)(a[i] - aQ.ZeroPoint) + bQ.Scale * (double)(b[i] - bQ.ZeroPoint)) / outQ.Scale;
                Assert.True(Math.Abs(Math.Clamp(ideal, min, max) - output[i]) <= 1, $"trial {trial}, element {i}: {output[i]} is far from {ideal}");
            }
        }
    }

    [Fact]
    public void RoundsExactTiesAwayFromZero()
    {
        // Equal scales and an output scale twice as large: every sum of odd length is an exact tie.
        var q = new ActivationQParams(0.1f, 0);
        var outQ = new ActivationQParams(0.2f, 100);
        var output = new byte[4];
        QAdd.Forward([1, 3, 0, 0], q, [0, 0, 0, 0], q, outQ, FusedActivation.None, output);
        Assert.Equal(new byte[] { 101, 102, 100, 100 }, output); // 0.5 → 1, 1.5 → 2
        QAdd.Forward([0, 0], new ActivationQParams(0.1f, 1), [0, 0], new ActivationQParams(0.1f, 2), outQ, FusedActivation.None, output.AsSpan(0, 2));
        Assert.Equal(new byte[] { 98, 98 }, output[..2]); // −1.5 → −2
    }

    [Fact]
    public void SaturatesAndClamps()
    {
        var q = new ActivationQParams(0.5f, 0);
        var output = new byte[2];
        QAdd.Forward([255, 0], q, [255, 0], q, new ActivationQParams(0.5f, 10), FusedActivation.None, output);
        Assert.Equal(new byte[] { 255, 10 }, output);
        QAdd.Forward([0, 0], new ActivationQParams(0.5f, 255), [0, 0], new ActivationQParams(0.5f, 255), new ActivationQParams(0.5f, 10), FusedActivation.None, output);
        Assert.Equal(new byte[] { 0, 0 }, output);
        QAdd.Forward([0, 0], new ActivationQParams(0.5f, 255), [0, 0], new ActivationQParams(0.5f, 255), new ActivationQParams(0.5f, 10), FusedActivation.ReLU, output);
        Assert.Equal(new byte[] { 10, 10 }, output);
    }

    [Fact]
    public void RejectsScaleRatiosQnnpackCannotRepresent()
    {
        var q = new ActivationQParams(1f, 0);
        var output = new byte[1];
        Assert.Throws<ArgumentOutOfRangeException>(() => QAdd.Forward([1], q, [1], q, new ActivationQParams(1f / 512, 0), FusedActivation.None, output));
        Assert.Throws<ArgumentOutOfRangeException>(() => QAdd.Forward([1], q, [1], q, new ActivationQParams(4096f, 0), FusedActivation.None, output));
        Assert.Throws<ShapeMismatchException>(() => QAdd.Forward([1, 2], q, [1], q, q, FusedActivation.None, new byte[2]));
    }

    /// <summary>The test's own spelling of qnnpack's multipliers: the larger ratio's multiplier in [2²¹, 2²²).</summary>
    private static (long A, long B, int Shift) FixedPoint(float aRatio, float bRatio)
    {
        int exponent = Math.ILogB(Math.Max(aRatio, bRatio));
        int shift = 21 - exponent;
        return ((long)Expected.RoundHalfEven(aRatio * Math.Pow(2, shift)), (long)Expected.RoundHalfEven(bRatio * Math.Pow(2, shift)), shift);
    }
}
