using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Quantization.Qat;

/// <summary>PrepareQat puts fake quantization where PyTorch does; Convert after QAT gives PTQ's int8 model, runnable by the generated forward.</summary>
public sealed class QatStructureTests
{
    [Theory]
    [InlineData("default")]
    [InlineData("per-channel")]
    public void QatConvertGivesTheSameInt8LayersAsPtqAndRunsInTheGeneratedForward(string config)
    {
        var qat = QatRuns.Prepared(config == "default" ? QConfig.DefaultQat : QConfig.PerChannelQat);
        using (QuantGen.Autograd.GradMode.NoGrad()) qat.Forward(QatRuns.TrainingImages.ToTensor(0, 64));
        qat.Eval();
        Convert(qat);

        var ptq = TrainedModels.SmallCnn();
        FuseModules(ptq, SmallCnn.FusionGroups);
        Prepare(ptq, config == "default" ? QConfig.Default : QConfig.PerChannelMinMax);
        Calibrate(ptq, [QatRuns.TrainingImages.ToTensor(0, 64)]);
        Convert(ptq);

        Assert.Equal(Structure(ptq), Structure(qat));
        Assert.Equal(ptq.StateDict().Keys, qat.StateDict().Keys);   // no fake quantization left behind
        Assert.True(((Conv2d)qat.GetSubmodule("conv1")!).HasFoldedBatchNorm);

        var images = QatRuns.HeldOut.ToTensor(0, 8);
        var eager = qat.Forward(images);
        var compiled = SmallCnn.Int8.From(qat);
        var output = new float[10];
        for (int i = 0; i < 8; i++)
        {
            compiled.Forward(images.Data.AsSpan(i * 784, 784), output);
            Assert.Equal(eager.Data.AsSpan(i * 10, 10).ToArray(), output);
        }
    }

    [Fact]
    public void PreparedModelHasPyTorchsFakeQuantizeBuffersInItsStateDict()
    {
        var model = QatRuns.Prepared(QConfig.DefaultQat);
        var keys = model.StateDict().Keys.ToList();
        string[] expected =
        [
            "conv1.weight_fake_quant.fake_quant_enabled", "conv1.weight_fake_quant.observer_enabled",
            "conv1.weight_fake_quant.scale", "conv1.weight_fake_quant.zero_point",
            "conv1.weight_fake_quant.activation_post_process.min_val",
            "conv1.activation_post_process.scale", "quant.activation_post_process.zero_point",
            "fc1.weight_fake_quant.scale", "fc2.activation_post_process.observer_enabled",
            "bn1.running_mean", "bn1.weight", "conv1.weight",
        ];
        foreach (string key in expected) Assert.Contains(key, keys);
        Assert.DoesNotContain(keys, k => k.StartsWith("relu1.") || k.StartsWith("pool1.") || k.StartsWith("bn1.activation_post_process"));
        Assert.True(keys.IndexOf("conv1.weight_fake_quant.scale") < keys.IndexOf("conv1.activation_post_process.scale"));
        Assert.Equal(DType.U8, model.StateDict()["conv1.activation_post_process.observer_enabled"].DType);
        Assert.Equal(DType.I32, model.StateDict()["conv1.activation_post_process.zero_point"].DType);
    }

    [Fact]
    public void FrozenQParamsAndFlagsTravelInTheStateDict()
    {
        var (trained, _) = QatRuns.FineTune(seed: 1, steps: 4, QConfig.PerChannelQat);
        var checkpoint = trained.StateDict();
        Assert.Equal([0], checkpoint["conv2.weight_fake_quant.observer_enabled"].ToInt32());
        Assert.Equal(16, checkpoint["conv2.weight_fake_quant.scale"].Shape[0]);   // per channel

        var restored = QatRuns.Prepared(QConfig.PerChannelQat);
        restored.LoadStateDict(checkpoint);
        var restoredConv2 = (FakeQuantize)restored.GetSubmodule("conv2.weight_fake_quant")!;
        Assert.False(restoredConv2.ObserverEnabled);
        Assert.Equal(((FakeQuantize)trained.GetSubmodule("conv2.weight_fake_quant")!).QParams, restoredConv2.QParams);
        var images = QatRuns.HeldOut.ToTensor(0, 16);
        Assert.Equal(trained.Eval().Forward(images).Data, restored.Eval().Forward(images).Data);
    }

    [Fact]
    public void PrepareQatRejectsAnEvalModelAPreparedOneAndADynamicQConfig()
    {
        var eval = TrainedModels.SmallCnn();
        Assert.Contains("model.Train()", Assert.Throws<QuantizationException>(() => PrepareQat(eval, QConfig.DefaultQat)).Message);
        var prepared = QatRuns.Prepared(QConfig.DefaultQat);
        Assert.Contains("already prepared", Assert.Throws<QuantizationException>(() => PrepareQat(prepared, QConfig.DefaultQat)).Message);
        eval.Train();
        Assert.Throws<QuantizationException>(() => PrepareQat(eval, QConfig.DefaultDynamic));
    }

    [Fact]
    public void FusingForTrainingKeepsTheBatchNormAndComputesConvBnReluInFloat()
    {
        var fused = TrainedModels.SmallCnn();
        var plain = TrainedModels.SmallCnn();
        FuseModulesQat(fused, SmallCnn.FusionGroups);
        var conv1 = (Conv2d)fused.GetSubmodule("conv1")!;
        Assert.False(conv1.HasFoldedBatchNorm);
        Assert.IsType<QatConv2d>(conv1.Substitute);
        var images = QatRuns.HeldOut.ToTensor(0, 4);
        var expected = plain.Forward(images).Data;
        var actual = fused.Forward(images).Data;
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-4f);
    }

    /// <summary>Each layer's path with the type of what runs in its place.</summary>
    private static List<string> Structure(Module model) =>
        [.. model.NamedModules().Select(m => $"{m.Name}: {(m.Module is Layer layer ? layer.Substitute?.GetType().Name ?? layer.GetType().Name : m.Module.GetType().Name)}")];
}
