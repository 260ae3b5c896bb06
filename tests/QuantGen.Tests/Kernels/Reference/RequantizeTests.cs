using QuantGen.Kernels;
using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Kernels.Reference;

public sealed class RequantizeTests
{
    [Fact]
    public void MultiplierUsesTheReciprocalOfTheOutputScale()
    {
        // For these scales (w·in)·(1/out) and (w·in)/out are adjacent floats. PyTorch 1.13's qnnpack linear gives 17 for
        // an accumulator of 45043 (input [255, 255, 163] · weight [127, 49, 1]), as the reciprocal form does; the quotient
        // form would give 16.
        const float inputScale = 0.0709f, weightScale = 0.00155f, outputScale = 0.3f;
        float multiplier = Requantize.Multiplier(inputScale, weightScale, outputScale);
        Assert.Equal(weightScale * inputScale * (1f / outputScale), multiplier);
        Assert.NotEqual(weightScale * inputScale / outputScale, multiplier);
        Assert.Equal(17, Requantize.ToUInt8(45043, multiplier, 0, OutputRange.Full));
        Assert.Equal(16, Requantize.ToUInt8(45043, weightScale * inputScale / outputScale, 0, OutputRange.Full));
    }

    [Theory]
    [InlineData(5, 0, 2)]      // 2.5 → 2
    [InlineData(7, 0, 4)]      // 3.5 → 4
    [InlineData(-5, 100, 98)]  // −2.5 → −2
    [InlineData(-7, 100, 96)]  // −3.5 → −4
    [InlineData(9, 3, 7)]      // 4.5 → 4, then the zero point
    public void HalfwayCasesRoundToEven(int accumulator, int zeroPoint, int expected)
    {
        Assert.Equal(expected, Requantize.ToUInt8(accumulator, 0.5f, zeroPoint, OutputRange.Full));
    }

    [Fact]
    public void SaturatesAndAppliesTheFusedClamp()
    {
        Assert.Equal(255, Requantize.ToUInt8(int.MaxValue, 0.25f, 10, OutputRange.Full));
        Assert.Equal(0, Requantize.ToUInt8(int.MinValue, 0.25f, 10, OutputRange.Full));
        Assert.Equal(255, Requantize.ToUInt8(int.MaxValue, 0.99f, 0, OutputRange.Full));

        var output = new ActivationQParams(0.05f, 40);
        OutputRange relu = OutputRange.For(FusedActivation.ReLU, output), relu6 = OutputRange.For(FusedActivation.ReLU6, output);
        Assert.Equal(new OutputRange(40, 255), relu);
        Assert.Equal(new OutputRange(40, 160), relu6); // 6 / 0.05 = 120 steps above the zero point
        Assert.Equal(40, Requantize.ToUInt8(-1000, 0.01f, 40, relu));
        Assert.Equal(160, Requantize.ToUInt8(100000, 0.01f, 40, relu6));
        Assert.Equal(150, Requantize.ToUInt8(11000, 0.01f, 40, relu6));
        Assert.Equal(255, OutputRange.For(FusedActivation.ReLU6, new ActivationQParams(0.01f, 0)).Max); // 6.0 is past the range
    }

    [Fact]
    public void LargeAccumulatorsRoundToFloatFirst()
    {
        // 2²⁴ + 2¹⁶ + 1 is odd above 2²⁴, so as a float it rounds (to even) down to 2²⁴ + 2¹⁶; times 2⁻¹⁷ that is
        // exactly 128.5, which rounds to 128. In exact arithmetic the product is 128.5000076, which rounds to 129.
        // qnnpack converts the accumulator to float (cvtdq2ps) before multiplying, so 128 is PyTorch's answer.
        const int accumulator = (1 << 24) + (1 << 16) + 1;
        const float multiplier = 1f / (1 << 17);
        Assert.Equal(129, Expected.RoundHalfEven(accumulator * (double)multiplier));
        Assert.Equal(128, Requantize.ToUInt8(accumulator, multiplier, 0, OutputRange.Full));
        Assert.Equal(128, Expected.Requantized(accumulator, multiplier, 0, 0, 255));
    }

    [Fact]
    public void ProductRoundsInFloat32()
    {
        // 4292 · 0.008038210682570934 (a float32) is 34.50000025 exactly, which rounds to 35; the float32 product
        // rounds to 34.5 first, a tie that goes to 34. PyTorch 1.13's qnnpack linear gives 34 (input [255, 212] at
        // scale 1, weight [16, 1] at this scale, output scale 1). Random accumulators hit such a case about once in
        // a million, so it is pinned here.
        const float multiplier = 0.008038210682570934f;
        Assert.Equal(35, Expected.RoundHalfEven(4292 * (double)multiplier));
        Assert.Equal(34.5f, 4292f * multiplier);
        Assert.Equal(34, Requantize.ToUInt8(4292, multiplier, 0, OutputRange.Full));
        Assert.Equal(34, Expected.Requantized(4292, multiplier, 0, 0, 255));
    }

    [Fact]
    public void MatchesTheDoubleRuleOnRandomAccumulators()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 300; trial++)
        {
            float multiplier = QuantizedData.Scale(random, 1e-6, 0.5);
            int zeroPoint = random.Next(256);
            var range = new OutputRange((byte)random.Next(0, 100), (byte)random.Next(150, 256));
            for (int i = 0; i < 300; i++)
            {
                // Around the output range, plus exact halfway points of the product.
                int accumulator = i % 3 == 0
                    ? (int)Math.Round((random.Next(-300, 300) + 0.5) / multiplier)
                    : (int)((random.NextDouble() * 2 - 1) * 300 / multiplier);
                Assert.Equal(
                    Expected.Requantized(accumulator, multiplier, zeroPoint, range.Min, range.Max),
                    Requantize.ToUInt8(accumulator, multiplier, zeroPoint, range));
            }
        }
    }
}
