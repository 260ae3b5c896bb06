using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Training;

namespace QuantGen.Tests.Training;

/// <summary>Bad input stops training with a typed error that says what and where, and leaves the model as it was.</summary>
public sealed class TrainingErrorTests
{
    [Fact]
    public void ALabelOutsideTheClassesNamesItsIndexAndValue()
    {
        var logits = Tensor.Zeros(3, 10);
        var error = Assert.Throws<LabelOutOfRangeException>(() => Losses.CrossEntropy(logits, [1, 10, 2]));
        Assert.Equal((1, 10, 10), (error.Index, error.Label, error.ClassCount));
        Assert.Contains("Label 1 is 10", error.Message);
        Assert.Equal(-1, Assert.Throws<LabelOutOfRangeException>(() => Losses.CrossEntropy(logits, [0, 0, -1])).Label);
    }

    [Fact]
    public void ABadLabelInATrainingStepLeavesTheModelUntouched()
    {
        var (model, trainer) = TrainingRuns.Train(seed: 3, steps: 1);
        var before = model.StateDict();
        var images = TrainingRuns.Mnist.ToTensor(0, 2);
        Assert.Throws<LabelOutOfRangeException>(() => trainer.TrainStep(images, [4, 12]));
        AssertSameState(before, model.StateDict());
    }

    [Fact]
    public void ANanLossStopsWithTheStepAndLayerAndKeepsTheLastGoodWeights()
    {
        var (model, trainer) = TrainingRuns.Train(seed: 4, steps: 1);
        // fc1's sums overflow to infinity; fc2 then mixes +∞ and −∞ into NaN.
        var fc1 = model.NamedParameters().Single(p => p.Name == "fc1.weight").Parameter;
        fc1.Data.AsSpan().Fill(float.MaxValue / 10);
        var before = model.StateDict();

        var error = Assert.Throws<NonFiniteLossException>(() => trainer.TrainStep(TrainingRuns.Mnist.ToTensor(0, 8), [7, 2, 1, 0, 4, 1, 4, 9]));
        Assert.Equal(2, error.Step);
        Assert.True(float.IsNaN(error.Loss));
        Assert.Contains("'fc1' Linear", error.Origin);
        Assert.Contains("Step 2", error.Message);
        AssertSameState(before, model.StateDict());
        Assert.Equal(1, trainer.Step);
    }

    [Fact]
    public void ACheckpointOfAnotherArchitectureIsRejectedWithTheKeysAtFault()
    {
        var (model, _) = TrainingRuns.Train(seed: 5, steps: 1);
        var checkpoint = SafeTensors.Read(SafeTensors.Serialize(model.StateDict()), "small_cnn.safetensors");

        var error = Assert.Throws<StateDictLoadException>(() => new MobileNetV2().LoadStateDict(checkpoint));
        Assert.Contains("conv1.weight", error.UnexpectedKeys);
        Assert.NotEmpty(error.MissingKeys);

        var restored = new SmallCnn();
        restored.LoadStateDict(checkpoint);
        var input = TrainingRuns.Mnist.ToTensor(0, 4);
        Assert.Equal(model.Eval().Forward(input).Data, restored.Eval().Forward(input).Data);
    }

    /// <summary>Every key of <paramref name="expected"/> holds the same bytes in <paramref name="actual"/> (QAT's error tests use it too).</summary>
    internal static void AssertSameState(StateDict expected, StateDict actual)
    {
        foreach (string key in expected.Keys)
        {
            Assert.True(expected[key].Bytes.SequenceEqual(actual[key].Bytes), $"{key} changed");
        }
    }
}
