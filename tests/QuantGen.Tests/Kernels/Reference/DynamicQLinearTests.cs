using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Kernels.Reference;

public sealed class DynamicQLinearTests
{
    /// <summary>
    /// Input ranges and the qparams PyTorch 1.13 chose for them (<c>torch._choose_qparams_per_tensor(x, False)</c>, the
    /// same <c>ChooseQuantizationParams</c> its qnnpack dynamic linear calls): the range widened to hold 0, the
    /// 0.1 fallback for an all-zero input, the 6.1e-5 floor on tiny scales, and a zero point from the nearer end.
    /// </summary>
    [Theory]
    [InlineData(-1f, 1f, 0.00784313725490196, 128)]
    [InlineData(0f, 2.55f, 0.009999999813005036, 0)]
    [InlineData(-3.7f, 0.2f, 0.015294117845740973, 242)]
    [InlineData(1e-7f, 2e-7f, 6.0999998822808266e-05, 0)]
    [InlineData(-1e-6f, 0f, 6.0999998822808266e-05, 255)]
    [InlineData(-2e-6f, 1e-6f, 6.0999998822808266e-05, 170)]
    [InlineData(0f, 0f, 0.1, 0)]
    [InlineData(-0.5f, 3.25f, 0.014705882352941176, 34)]
    public void ChoosesPyTorchsInputQParams(float min, float max, double scale, int zeroPoint)
    {
        ActivationQParams q = DynamicQParams.Choose(min, max);
        Assert.Equal((float)scale, q.Scale);
        Assert.Equal(zeroPoint, q.ZeroPoint);
        Assert.Equal(q, DynamicQParams.ForInput([max, min, (min + max) / 2]));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 17, 5)]
    [InlineData(8, 64, 10)]
    [InlineData(2, 300, 7)]
    public void MatchesBruteForce(int batch, int inFeatures, int outFeatures)
    {
        var random = new Random(batch * 7 + inFeatures * 31 + outFeatures);
        foreach (bool perChannel in new[] { false, true })
        foreach (bool withBias in new[] { true, false })
        foreach (bool relu in new[] { false, true })
        {
            float[] input = TestData.Values(random, batch * inFeatures).Select(v => v * 3 + 0.5f).ToArray();
            sbyte[] weight = QuantizedData.SBytes(random, outFeatures * inFeatures);
            var weightQ = QuantizedData.Weights(random, outFeatures, perChannel, affine: false);
            float[] bias = withBias ? TestData.Values(random, outFeatures) : [];
            float[] output = TestData.Poisoned(batch * outFeatures);

            DynamicQLinear.Forward(input, weight, weightQ, bias, batch, inFeatures, outFeatures, relu, output);

            // The input's qparams come from its own min and max, all rows together.
            ActivationQParams inputQ = DynamicQParams.Choose(input.Min(), input.Max());
            for (int i = 0; i < batch; i++)
            {
                for (int o = 0; o < outFeatures; o++)
                {
                    long accumulator = 0;
                    for (int k = 0; k < inFeatures; k++)
                    {
                        long x = Expected.Quantized(input[i * inFeatures + k], inputQ.Scale, inputQ.ZeroPoint, 0, 255);
                        accumulator += (x - inputQ.ZeroPoint) * weight[o * inFeatures + k];
                    }
                    // Exactly, the result is acc·s_in·s_w + bias; PyTorch's float32 steps are one product with the
                    // float (s_w·s_in) and one sum, each rounded, so the test follows them and checks they stay close.
                    double exact = accumulator * (double)inputQ.Scale * weightQ.Scale(o) + (withBias ? bias[o] : 0);
                    float expected = (float)accumulator * (weightQ.Scale(o) * inputQ.Scale) + (withBias ? bias[o] : 0f);
                    if (relu) (exact, expected) = (Math.Max(exact, 0), Math.Max(expected, 0f));
                    float actual = output[i * outFeatures + o];
                    Assert.Equal(expected, actual);
                    Assert.True(Math.Abs(actual - exact) <= 1e-6 * (Math.Abs(accumulator * (double)inputQ.Scale * weightQ.Scale(o)) + 1),
                        $"output ({i}, {o}) = {actual} is far from the exact {exact}");
                }
            }
        }
    }

    [Fact]
    public void RejectsNonFiniteInput()
    {
        Assert.Throws<ArgumentException>(() =>
            DynamicQLinear.Forward([1f, float.NaN], new sbyte[2], WeightQParams.PerTensor(0.1f), [], 1, 2, 1, relu: false, new float[1]));
        Assert.Throws<ArgumentException>(() => DynamicQParams.ForInput([float.PositiveInfinity]));
    }
}
