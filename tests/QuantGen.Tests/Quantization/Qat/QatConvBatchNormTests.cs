using QuantGen.Autograd;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Autograd;
using static QuantGen.Quantization.QuantizationAwareTraining;

namespace QuantGen.Tests.Quantization.Qat;

/// <summary>QAT's Conv+BN: the weight is fake-quantized after scaling by γ/σ; with the BatchNorm frozen it is the folded convolution.</summary>
public sealed class QatConvBatchNormTests
{
    private sealed class ConvBn : Module
    {
        readonly QuantStub quant = new();
        public readonly Conv2d conv = new(4, 6, kernelSize: 3, padding: 1, bias: true);
        public readonly BatchNorm2d bn = new(6);
        readonly DeQuantStub dequant = new();

        public override Tensor Forward(Tensor x) => dequant.Forward(bn.Forward(conv.Forward(quant.Forward(x))));
    }

    private static ConvBn Prepared(QConfig qconfig)
    {
        var model = new ConvBn();
        var random = new Random(7);
        for (int c = 0; c < 6; c++)
        {
            model.bn.RunningMean.Data[c] = random.NextSingle() - 0.5f;
            model.bn.RunningVar.Data[c] = 0.2f + random.NextSingle();
            model.bn.Weight!.Data[c] = 0.5f + random.NextSingle();
            model.bn.Bias!.Data[c] = random.NextSingle() - 0.5f;
        }
        model.Train();
        Fusion.FuseModulesQat(model, ["conv", "bn"]);
        PrepareQat(model, qconfig);
        return model;
    }

    /// <summary>
    /// Frozen, the QAT form computes conv(x, fq(w·γ/σ))/(γ/σ) normalised by the running statistics, which is
    /// conv(x, fq(w_folded)) + b_folded up to float rounding. The fake-quantized weights agree exactly (checked:
    /// w·(γ/σ) and w·(γ·(1/σ)) differ by at most an ulp, far from a rounding tie here), so what remains is the
    /// rounding of the 36-term sums and of the scale, unscale and BatchNorm steps: a few ulps of Σ|w·x| + |b|.
    /// The bound below allows 8·(36 + 4) ulps of that magnitude.
    /// </summary>
    [Theory]
    [InlineData("per-tensor")]
    [InlineData("per-channel")]
    public void FrozenBatchNormEqualsTheFoldedConvolutionsFloatMath(string scheme)
    {
        var model = Prepared(scheme == "per-tensor" ? QConfig.DefaultQat : QConfig.PerChannelQat);
        var x = GradCheck.Random(3, 2, 4, 5, 5);
        model.Forward(x);                                  // observes the weight and output ranges
        DisableObservers(model);
        FreezeBatchNormStats(model);
        // The input's and output's fake quantization are off: this compares the convolution's float math alone.
        ((FakeQuantize)model.GetSubmodule("quant.activation_post_process")!).DisableFakeQuant();
        ((FakeQuantize)model.GetSubmodule("conv.activation_post_process")!).DisableFakeQuant();
        var weightFakeQuant = (FakeQuantize)model.GetSubmodule("conv.weight_fake_quant")!;
        var qat = model.Forward(x);

        var folded = new Conv2d(4, 6, kernelSize: 3, padding: 1, bias: true);
        model.conv.Weight.Data.CopyTo(folded.Weight.Data, 0);
        model.conv.Bias!.Data.CopyTo(folded.Bias!.Data, 0);
        folded.FoldBatchNorm(model.bn);
        var foldedWeight = FakeQuantizeGrad.Apply(folded.Weight, weightFakeQuant.QParams!);

        using (GradMode.NoGrad())
        {
            var scaleFactor = ChannelScaling.Divide(model.bn.Weight!, Tensor.FromArray(
                [.. model.bn.RunningVar.Data.Select(v => MathF.Sqrt(v + model.bn.Eps))], 6), axis: 0);
            var qatWeight = FakeQuantizeGrad.Apply(ChannelScaling.Multiply(model.conv.Weight, scaleFactor, axis: 0), weightFakeQuant.QParams!);
            Assert.Equal(foldedWeight.Data, qatWeight.Data);
        }

        for (int n = 0; n < 2; n++)
        for (int o = 0; o < 6; o++)
        for (int r = 0; r < 5; r++)
        for (int c = 0; c < 5; c++)
        {
            double sum = folded.Bias!.Data[o], magnitude = Math.Abs(folded.Bias.Data[o]);
            for (int i = 0; i < 4; i++)
            for (int kr = 0; kr < 3; kr++)
            for (int kc = 0; kc < 3; kc++)
            {
                int rr = r + kr - 1, cc = c + kc - 1;
                if ((uint)rr >= 5 || (uint)cc >= 5) continue;
                double term = (double)foldedWeight[o, i, kr, kc] * x[n, i, rr, cc];
                sum += term;
                magnitude += Math.Abs(term);
            }
            double bound = 8 * (36 + 4) * Math.Pow(2, -24) * magnitude;
            Assert.True(Math.Abs(qat[n, o, r, c] - sum) <= bound, $"[{n}, {o}, {r}, {c}]: QAT {qat[n, o, r, c]} vs folded {sum} (bound {bound:E2})");
        }
    }

    [Fact]
    public void BatchStatisticsMoveUntilFrozenEvenInTrainingMode()
    {
        var model = Prepared(QConfig.DefaultQat);
        var mean = (float[])model.bn.RunningMean.Data.Clone();
        model.Forward(GradCheck.Random(1, 4, 4, 5, 5));
        Assert.NotEqual(mean, model.bn.RunningMean.Data);
        Assert.Equal(1, model.bn.NumBatchesTracked);

        Assert.Equal(1, FreezeBatchNormStats(model));
        model.Train();                                     // a training step calls Train(); the freeze holds
        mean = (float[])model.bn.RunningMean.Data.Clone();
        model.Forward(GradCheck.Random(2, 4, 4, 5, 5));
        Assert.Equal(mean, model.bn.RunningMean.Data);
        Assert.Equal(1, UpdateBatchNormStats(model));
    }

    [Fact]
    public void ChannelScalingGradientsMatchFiniteDifferences()
    {
        var x = GradCheck.Random(1, 2, 3, 2, 2);
        var factors = Tensor.FromArray([0.7f, -1.3f, 2.1f], 3);
        var divisors = Tensor.FromArray([1.5f, 0.8f, -2.4f], 3);
        var bias = Tensor.FromArray([0.1f, -0.2f, 0.3f], 3);
        GradCheck.Check([x, factors, divisors, bias],
            () => ChannelScaling.Add(ChannelScaling.Divide(ChannelScaling.Multiply(x, factors, 1), divisors, 1), bias, 1),
            v =>
            {
                var y = new double[v[0].Length];
                for (int i = 0; i < y.Length; i++)
                {
                    int c = i / 4 % 3;
                    y[i] = v[0][i] * v[1][c] / v[2][c] + v[3][c];
                }
                return y;
            });
    }

    [Fact]
    public void GammaTrainsThroughBothScalingsOfTheWeight()
    {
        var model = Prepared(QConfig.DefaultQat);
        var output = model.Forward(GradCheck.Random(4, 4, 4, 5, 5));
        output.Backward(GradCheck.Random(5, 4, 6, 5, 5));
        Assert.NotNull(model.bn.Weight!.Grad);
        Assert.NotNull(model.bn.Bias!.Grad);
        Assert.NotNull(model.conv.Weight.Grad);
        Assert.NotNull(model.conv.Bias!.Grad);
        Assert.All(model.bn.Weight.Grad!.Data, g => Assert.True(float.IsFinite(g)));
    }
}
