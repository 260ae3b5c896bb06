using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;
using static QuantGen.Tests.Training.TrainingErrorTests;
using QuantGen.Training;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Quantization.Qat;

/// <summary>Short QAT runs of the trained SmallCnn: accuracy kept, runs repeatable, bad input stopped with typed errors.</summary>
public sealed class QatTrainingTests
{
    [Fact]
    public void AShortQatRunKeepsOrImprovesTheInt8AccuracyOfPtq()
    {
        var ptq = TrainedModels.SmallCnn();
        FuseModules(ptq, SmallCnn.FusionGroups);
        Prepare(ptq, QConfig.Default);
        Calibrate(ptq, [QatRuns.TrainingImages.ToTensor(0, 320)]);
        Convert(ptq);
        double ptqTop1 = QatRuns.TopOne(ptq, QatRuns.HeldOut);

        var (qat, _) = QatRuns.FineTune(seed: 3, steps: 20);
        double fakeQuantTop1 = QatRuns.TopOne(qat, QatRuns.HeldOut);
        qat.Eval();
        Convert(qat);
        double qatTop1 = QatRuns.TopOne(qat, QatRuns.HeldOut);

        Assert.True(qatTop1 >= ptqTop1, $"QAT int8 {qatTop1:F1} % vs PTQ int8 {ptqTop1:F1} % on 500 held-out images");
        // The fake-quantized float model predicts what its int8 conversion computes: at most 1 image in 500 differs.
        Assert.True(Math.Abs(qatTop1 - fakeQuantTop1) <= 0.2, $"fake-quant {fakeQuantTop1:F1} % vs int8 {qatTop1:F1} %");
    }

    [Fact]
    public void TwoSeededQatRunsGiveIdenticalWeightsAndQParams()
    {
        var first = QatRuns.FineTune(seed: 9, steps: 6).Model.StateDict();
        var second = QatRuns.FineTune(seed: 9, steps: 6).Model.StateDict();
        Assert.Equal(first.Keys, second.Keys);
        foreach (string key in first.Keys)
        {
            Assert.True(first[key].Bytes.SequenceEqual(second[key].Bytes), $"{key} differs between the runs");
        }
    }

    [Fact]
    public void ALabelOutsideTheClassesStopsAQatStepAndLeavesTheModelAsItWas()
    {
        var (model, trainer) = QatRuns.FineTune(seed: 2, steps: 1);
        var before = model.StateDict();
        Assert.Throws<LabelOutOfRangeException>(() => trainer.TrainStep(QatRuns.HeldOut.ToTensor(0, 2), [3, 10]));
        AssertSameState(before, model.StateDict());
    }

    [Fact]
    public void ANanLossInQatNamesTheStepAndLayerAndKeepsTheLastGoodWeightsAndQParams()
    {
        // Fake quantization maps NaN to a finite level, so a NaN reaches the loss only where the output stays float.
        var (model, trainer) = QatRuns.FineTune(seed: 4, steps: 2);
        ((FakeQuantize)model.GetSubmodule("fc2.activation_post_process")!).DisableFakeQuant();
        model.NamedParameters().Single(p => p.Name == "fc2.bias").Parameter.Data[3] = float.NaN;
        var before = model.StateDict();

        var error = Assert.Throws<NonFiniteLossException>(() => trainer.TrainStep(QatRuns.HeldOut.ToTensor(0, 8), [7, 2, 1, 0, 4, 1, 4, 9]));
        Assert.Equal(3, error.Step);
        Assert.True(float.IsNaN(error.Loss));
        Assert.Contains("fc2.bias", error.Origin);
        AssertSameState(before, model.StateDict());
    }

    [Fact]
    public void ANanInActivationsIsNamedByTheLayerWhoseObserverSawIt()
    {
        var (model, trainer) = QatRuns.FineTune(seed: 5, steps: 1);
        var images = QatRuns.HeldOut.ToTensor(0, 4);
        images.Data[10] = float.NaN;
        var before = model.StateDict();
        var error = Assert.Throws<CalibrationException>(() => trainer.TrainStep(images, [7, 2, 1, 0]));
        Assert.Contains("quant.activation_post_process", error.Message);
        AssertSameState(before, model.StateDict());
    }

    [Fact]
    public void AQatCheckpointDoesNotLoadIntoAnotherArchitectureOrAnUnpreparedModel()
    {
        var (model, _) = QatRuns.FineTune(seed: 6, steps: 1);
        var checkpoint = SafeTensors.Read(SafeTensors.Serialize(model.StateDict()), "small_cnn_qat.safetensors");

        var other = Assert.Throws<StateDictLoadException>(() => new MobileNetV2().LoadStateDict(checkpoint));
        Assert.Contains("conv1.weight_fake_quant.scale", other.UnexpectedKeys);
        var unprepared = Assert.Throws<StateDictLoadException>(() => new SmallCnn().LoadStateDict(checkpoint));
        Assert.Contains("conv1.activation_post_process.scale", unprepared.UnexpectedKeys);
        Assert.Empty(unprepared.MissingKeys);
    }
}
