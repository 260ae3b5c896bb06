using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Kernels.Reference;

public sealed class QuantizeTests
{
    [Theory]
    [InlineData(2.5f, 2)]
    [InlineData(3.5f, 4)]
    [InlineData(-2.5f, -2)]
    [InlineData(-3.5f, -4)]
    [InlineData(0.5f, 0)]
    [InlineData(1.5f, 2)]
    [InlineData(2.4999998f, 2)]
    [InlineData(2.5000002f, 3)]
    public void HalfwayCasesRoundToEven(float scaled, int expected)
    {
        // Scale 0.5 makes x·(1/s) = 2x exactly, so the halfway cases reach the rounding untouched.
        Assert.Equal(expected + 10, Quantize.ToUInt8(scaled / 2, new ActivationQParams(0.5f, 10)));
        Assert.Equal(expected, Quantize.ToInt8(scaled / 2, 0.5f, 0));
    }

    [Fact]
    public void MultipliesByTheFloatReciprocalRatherThanDividing()
    {
        // FBGEMM's own example: x·(1/s) is exactly 127.5 (→ 128) while x/s is 127.49999 (→ 127).
        // PyTorch 1.13 (qnnpack build) returns 128 for quantize_per_tensor(0.273939937, 0.00214854861, 0, quint8).
        const float scale = 0.00214854861f, x = 0.273939937f;
        Assert.Equal(127.5f, x * (1f / scale));
        Assert.Equal(127, (int)MathF.Round(x / scale));
        Assert.Equal(128, Quantize.ToUInt8(x, new ActivationQParams(scale, 0)));
    }

    [Fact]
    public void SaturatesAtTheEndsOfTheRange()
    {
        var q = new ActivationQParams(0.1f, 20);
        Assert.Equal(255, Quantize.ToUInt8(1e6f, q));
        Assert.Equal(0, Quantize.ToUInt8(-1e6f, q));
        Assert.Equal(255, Quantize.ToUInt8(float.PositiveInfinity, q));
        Assert.Equal(0, Quantize.ToUInt8(float.NegativeInfinity, q));
        Assert.Equal(0, Quantize.ToUInt8(float.NaN, q));
        Assert.Equal(255, Quantize.ToUInt8(23.5f, q)); // 235 + 20 = 255 exactly
        Assert.Equal(255, Quantize.ToUInt8(23.6f, q));
        Assert.Equal(127, Quantize.ToInt8(1e30f, 0.01f, 0));
        Assert.Equal(-128, Quantize.ToInt8(-1e30f, 0.01f, 0));
        Assert.Equal(-128, Quantize.ToInt8(float.NaN, 0.01f, 0));
    }

    [Fact]
    public void MatchesTheDoubleRuleOnRandomValues()
    {
        var random = new Random(1);
        for (int trial = 0; trial < 200; trial++)
        {
            var q = QuantizedData.Activation(random, 1e-3, 1.0);
            float weightScale = QuantizedData.Scale(random, 1e-4, 0.1);
            int weightZeroPoint = random.Next(-128, 128);
            for (int i = 0; i < 200; i++)
            {
                // Mostly in range, some past either end, and exact halfway points of the scaled value.
                float x = i % 4 == 0
                    ? (random.Next(-300, 300) + 0.5f) * q.Scale
                    : (float)((random.NextDouble() * 2 - 1) * 300 * q.Scale);
                Assert.Equal(Expected.Quantized(x, q.Scale, q.ZeroPoint, 0, 255), Quantize.ToUInt8(x, q));
                Assert.Equal(Expected.Quantized(x, weightScale, weightZeroPoint, -128, 127), Quantize.ToInt8(x, weightScale, weightZeroPoint));
            }
        }
    }

    [Fact]
    public void EveryByteSurvivesDequantizeThenQuantize()
    {
        var random = new Random(2);
        for (int trial = 0; trial < 100; trial++)
        {
            var q = QuantizedData.Activation(random, 1e-4, 10);
            for (int b = 0; b <= 255; b++)
            {
                float x = Dequantize.FromUInt8((byte)b, q);
                Assert.Equal(b, Quantize.ToUInt8(x, q));
            }
            float weightScale = QuantizedData.Scale(random, 1e-4, 1);
            int weightZeroPoint = random.Next(-20, 21);
            for (int w = -128; w <= 127; w++)
            {
                float x = Dequantize.FromInt8((sbyte)w, weightScale, weightZeroPoint);
                Assert.Equal(w, Quantize.ToInt8(x, weightScale, weightZeroPoint));
            }
        }
    }

    [Fact]
    public void QuantizeThenDequantizeIsWithinHalfAStep()
    {
        var random = new Random(3);
        var q = new ActivationQParams(0.037f, 61);
        float[] values = TestData.Values(random, 4000).Select(v => v * 4).ToArray();
        var bytes = new byte[values.Length];
        var back = new float[values.Length];

        Quantize.Activations(values, q, bytes);
        Dequantize.Activations(bytes, q, back);

        double low = q.Scale * (0.0 - q.ZeroPoint), high = q.Scale * (255.0 - q.ZeroPoint);
        for (int i = 0; i < values.Length; i++)
        {
            double clamped = Math.Clamp(values[i], low, high);
            Assert.True(Math.Abs(back[i] - clamped) <= q.Scale * (0.5 + 1e-5), $"value {values[i]} came back as {back[i]}");
        }
    }

    [Fact]
    public void DequantizeIsOneRoundedProduct()
    {
        var random = new Random(4);
        for (int trial = 0; trial < 200; trial++)
        {
            var q = QuantizedData.Activation(random, 1e-4, 10);
            for (int b = 0; b <= 255; b++)
            {
                // scale·(q − z) in double is exact (a 24-bit times a 9-bit integer), so one float rounding of it is the answer.
                Assert.Equal((float)((double)q.Scale * (b - q.ZeroPoint)), Dequantize.FromUInt8((byte)b, q));
            }
        }
    }

    [Fact]
    public void WeightsUseTheirOutputChannelsParameters()
    {
        var random = new Random(5);
        const int outChannels = 5, perChannel = 7;
        float[] values = TestData.Values(random, outChannels * perChannel);
        var perChannelQ = QuantizedData.Weights(random, outChannels, perChannel: true, affine: true);
        var result = new sbyte[values.Length];
        var back = new float[values.Length];

        Quantize.Weights(values, outChannels, perChannelQ, result);
        Dequantize.Weights(result, outChannels, perChannelQ, back);

        for (int i = 0; i < values.Length; i++)
        {
            int c = i / perChannel;
            Assert.Equal(Expected.Quantized(values[i], perChannelQ.Scale(c), perChannelQ.ZeroPoint(c), -128, 127), result[i]);
            Assert.Equal(Dequantize.FromInt8(result[i], perChannelQ.Scale(c), perChannelQ.ZeroPoint(c)), back[i]);
        }
    }

    [Fact]
    public void BiasIsQuantizedAtInputScaleTimesWeightScale()
    {
        var random = new Random(6);
        const float inputScale = 0.0213f;
        float[] scales = [0.0031f, 0.0007f, 0.012f, 0.0055f];
        var weights = WeightQParams.PerChannel(scales);
        float[] bias = [0.5f, -1.25f, 3e7f, -3e7f];
        var result = new int[bias.Length];

        Quantize.Bias(bias, inputScale, weights, result);

        for (int c = 0; c < 2; c++)
        {
            // PyTorch forms the bias scale as a double product; of two floats that is exact, so narrowing it to float
            // is the correctly rounded float product.
            float biasScale = (float)((double)scales[c] * inputScale);
            Assert.Equal(scales[c] * inputScale, biasScale);
            Assert.Equal(Expected.Quantized(bias[c], biasScale, 0, int.MinValue, int.MaxValue), result[c]);
        }
        Assert.Equal(int.MaxValue, result[2]);
        Assert.Equal(int.MinValue, result[3]);

        // Per tensor: one scale for every channel; and the halfway case rounds to even.
        var perTensor = WeightQParams.PerTensor(0.5f);
        Quantize.Bias([2.5f * 0.25f, 3.5f * 0.25f, -2.5f * 0.25f], 0.5f, perTensor, result.AsSpan(0, 3));
        Assert.Equal(new[] { 2, 4, -2 }, result[..3]);

        float[] randomBias = TestData.Values(random, 64).Select(v => v * 10).ToArray();
        var randomResult = new int[64];
        Quantize.Bias(randomBias, inputScale, WeightQParams.PerTensor(0.004f), randomResult);
        for (int c = 0; c < 64; c++)
        {
            Assert.Equal(Expected.Quantized(randomBias[c], 0.004f * inputScale, 0, int.MinValue, int.MaxValue), randomResult[c]);
        }
    }

    [Fact]
    public void RejectsBadParameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Quantize.Activations([1f], new ActivationQParams(0f, 0), new byte[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quantize.Activations([1f], new ActivationQParams(0.1f, 256), new byte[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightQParams.PerTensor(0.1f, 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightQParams.PerChannel([0.1f, float.NaN]));
        Assert.Throws<ShapeMismatchException>(() => Quantize.Activations([1f, 2f], new ActivationQParams(0.1f, 0), new byte[1]));
        Assert.Throws<ShapeMismatchException>(() => Quantize.Weights(new float[6], 3, WeightQParams.PerChannel([1f, 1f]), new sbyte[6]));
    }
}
