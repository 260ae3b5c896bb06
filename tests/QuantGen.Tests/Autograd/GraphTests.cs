using QuantGen.Autograd;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Training;

namespace QuantGen.Tests.Autograd;

/// <summary>When the graph is recorded, how gradients accumulate, and the loss at its end.</summary>
public sealed class GraphTests
{
    [Fact]
    public void CrossEntropyGradientMatchesFiniteDifferences()
    {
        var logits = GradCheck.Random(91, 5, 7);
        for (int i = 0; i < logits.Length; i++) logits.Data[i] *= 3;
        int[] labels = [0, 6, 3, 3, 1];
        GradCheck.Check([logits], () => Losses.CrossEntropy(logits, labels), v => [DoubleReference.CrossEntropy(v[0], labels, 7)]);
    }

    [Fact]
    public void EvalModeInferenceRecordsNothing()
    {
        var model = new SmallCnn();
        model.Eval();
        var logits = model.Forward(Tensor.Zeros(2, 1, 28, 28));
        Assert.False(logits.RequiresGrad);
        Assert.True(logits.IsLeaf);
    }

    [Fact]
    public void NoGradScopeRecordsNothingEvenInTrainingMode()
    {
        var model = new SmallCnn();
        Tensor logits;
        using (GradMode.NoGrad())
        {
            Assert.False(GradMode.IsEnabled);
            logits = model.Forward(Tensor.Zeros(2, 1, 28, 28));
        }
        Assert.True(GradMode.IsEnabled);
        Assert.False(logits.RequiresGrad);
    }

    [Fact]
    public void TrainingModeRecordsAndEveryParameterGetsAGradient()
    {
        var model = new SmallCnn();
        var loss = Losses.CrossEntropy(model.Forward(GradCheck.Random(1, 2, 1, 28, 28)), [3, 8]);
        loss.Backward();
        foreach (var (name, parameter) in model.NamedParameters())
        {
            Assert.True(parameter.Grad is { } grad && grad.Data.Any(v => v != 0), $"{name} got no gradient");
        }
    }

    [Fact]
    public void ForwardValuesAreTheSameWithAndWithoutRecording()
    {
        var model = new SmallCnn();
        var x = GradCheck.Random(2, 3, 1, 28, 28);
        var recorded = model.Forward(x);
        Tensor plain;
        using (GradMode.NoGrad()) plain = model.Forward(x);
        Assert.True(recorded.RequiresGrad);
        Assert.Equal(plain.Data, recorded.Data);
    }

    [Fact]
    public void GradientsAccumulateAcrossUsesAndBackwardCalls()
    {
        var x = Tensor.FromArray([1f, -2f, 3f], 3);
        x.RequiresGrad = true;
        var y = Functional.Add(x, x);
        y.Backward(Tensor.FromArray([1f, 1f, 1f], 3));
        Assert.Equal([2f, 2f, 2f], x.Grad!.Data);
        Functional.Add(x, x).Backward(Tensor.FromArray([0.5f, 1f, 2f], 3));
        Assert.Equal([3f, 4f, 6f], x.Grad!.Data);
    }

    [Fact]
    public void BackwardNeedsAScalarOrAGradient()
    {
        var x = Tensor.Zeros(2);
        x.RequiresGrad = true;
        var y = Functional.Relu(x);
        Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Throws<ShapeMismatchException>(() => y.Backward(Tensor.Zeros(3)));
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(1).Backward());
    }

    [Fact]
    public void DetachCutsTheGraph()
    {
        var x = Tensor.FromArray([1f, 2f], 2);
        x.RequiresGrad = true;
        var y = Functional.Relu(x);
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
        var detached = y.Detach();
        Assert.False(detached.RequiresGrad);
        Assert.Same(y.Data, detached.Data);
    }
}
