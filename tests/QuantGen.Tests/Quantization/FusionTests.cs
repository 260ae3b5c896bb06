using QuantGen.Kernels;
using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;

namespace QuantGen.Tests.Quantization;

public class FusionTests
{
    [Fact]
    public void A_fused_SmallCnn_gives_PyTorch_float_logits()
    {
        var model = TrainedModels.SmallCnn();
        Fusion.FuseModules(model, SmallCnn.FusionGroups);

        var logits = model.Forward(Fixtures.LoadProbeImages());

        var expected = Fixtures.ReadMatrix(Fixtures.SmallCnnTruth, "float_logits");
        for (int i = 0; i < 16; i++)
            for (int k = 0; k < 10; k++)
                Assert.True(Math.Abs(expected[i][k] - logits[i, k]) <= 1e-4, $"image {i}, class {k}: {expected[i][k]} vs {logits[i, k]}");
    }

    [Fact]
    public void A_fused_MobileNetV2_gives_PyTorch_float_logits_and_folds_every_BatchNorm()
    {
        var model = TrainedModels.MobileNetV2();
        var groups = model.FusionGroups();

        model.FuseModel();
        var logits = model.Forward(Fixtures.LoadProbeImages());

        Assert.Equal(52, groups.Length);   // 35 ConvBNReLU (stem, 17 depthwise, 16 expansions, last) + 17 projections
        Assert.All(model.Modules().OfType<BatchNorm2d>(), bn => Assert.IsType<Identity>(bn.Substitute));
        var expected = Fixtures.ReadMatrix(Fixtures.MobileNetV2Truth, "float_logits");
        for (int i = 0; i < 16; i++)
            for (int k = 0; k < 10; k++)
                Assert.True(Math.Abs(expected[i][k] - logits[i, k]) <= 1e-3, $"image {i}, class {k}: {expected[i][k]} vs {logits[i, k]}");
    }

    [Fact]
    public void Folding_a_BatchNorm_matches_the_float64_formula()
    {
        var random = new Random(9);
        var conv = new Conv2d(3, 4, kernelSize: 3, bias: true);
        for (int i = 0; i < conv.Weight.Length; i++) conv.Weight.Data[i] = random.NextSingle() - 0.5f;
        for (int c = 0; c < 4; c++) conv.Bias!.Data[c] = random.NextSingle() - 0.5f;
        var bn = new BatchNorm2d(4, eps: 1e-3f);
        for (int c = 0; c < 4; c++)
        {
            bn.Weight!.Data[c] = random.NextSingle() + 0.5f;
            bn.Bias!.Data[c] = random.NextSingle() - 0.5f;
            bn.RunningMean.Data[c] = random.NextSingle() - 0.5f;
            bn.RunningVar.Data[c] = random.NextSingle() + 0.1f;
        }
        var weight = conv.Weight.Data.ToArray();
        var bias = conv.Bias!.Data.ToArray();
        var model = new Sequential(conv, bn, new ReLU());
        model.Eval();

        Fusion.FuseModules(model, ["0", "1", "2"]);

        for (int c = 0; c < 4; c++)
        {
            double r = 1 / Math.Sqrt(bn.RunningVar.Data[c] + 1e-3);
            for (int i = 0; i < 27; i++)
            {
                double w = weight[c * 27 + i] * bn.Weight!.Data[c] * r;
                Assert.True(Math.Abs(w - conv.Weight.Data[c * 27 + i]) <= 1e-6 * Math.Abs(w) + 1e-9);
            }
            double scaled = (bias[c] - bn.RunningMean.Data[c]) * r * bn.Weight!.Data[c];
            double b = scaled + bn.Bias!.Data[c];
            // A handful of float32 roundings, each relative to the size of its own term: the sum may cancel.
            Assert.True(Math.Abs(b - conv.Bias!.Data[c]) <= 1e-6 * (Math.Abs(scaled) + Math.Abs(bn.Bias!.Data[c])), $"channel {c}: {b} vs {conv.Bias!.Data[c]}");
        }
        Assert.Equal(FusedActivation.ReLU, conv.Activation);
    }

    [Fact]
    public void A_convolution_without_bias_gains_one_when_a_BatchNorm_is_folded_in()
    {
        var model = TrainedModels.SmallCnn();
        Fusion.FuseModules(model, SmallCnn.FusionGroups);

        Assert.Contains("conv1.bias", model.StateDict().Keys);
    }

    public static TheoryData<string[][], string> BadGroups => new()
    {
        { [["conv1", "bn9", "relu1"]], "no module named 'bn9'" },
        { [["conv1", "relu2", "bn1"]], "(Conv2d, ReLU, BatchNorm2d); supported" },
        { [["fc1", "fc2"]], "(Linear, Linear); supported" },
        { [["conv1"]], "at least two module names" },
        { [["conv1", "bn1", "relu1"], ["conv2", "relu1"]], "'relu1' appears in more than one fusion group" },
        { [["conv2", "bn1"]], "the BatchNorm has 8 features but the convolution has 16 output channels" },
    };

    [Theory]
    [MemberData(nameof(BadGroups))]
    public void A_bad_group_is_a_typed_error_and_fuses_nothing(string[][] groups, string expected)
    {
        var model = TrainedModels.SmallCnn();
        var before = model.StateDict();

        var error = Assert.Throws<FusionException>(() => Fusion.FuseModules(model, groups));

        Assert.Contains(expected, error.Message);
        Assert.Equal(before.Keys, model.StateDict().Keys);
        Assert.All(model.Modules().OfType<Layer>(), layer => Assert.Null(layer.Substitute));
    }

    [Fact]
    public void Folding_a_BatchNorm_in_training_mode_is_refused()
    {
        var model = new SmallCnn();
        var error = Assert.Throws<FusionException>(() => Fusion.FuseModules(model, SmallCnn.FusionGroups));
        Assert.Contains("needs eval mode", error.Message);
    }

}
