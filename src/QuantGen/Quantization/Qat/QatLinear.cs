using QuantGen.Autograd;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// What a Linear layer runs during quantization-aware training, in its place, as PyTorch's <c>qat.Linear</c> and
/// <c>LinearReLU</c>: y = x·fq(W)ᵀ + b, the fused activation, then the output's fake quantization.
/// </summary>
public sealed class QatLinear : Module
{
    internal QatLinear(Linear linear, FakeQuantize weightFakeQuant)
    {
        Linear = linear;
        WeightFakeQuant = weightFakeQuant;
    }

    [field: NotAChild]
    public Linear Linear { get; }

    /// <summary>The weight's fake quantization, a child of <see cref="Linear"/> named <c>weight_fake_quant</c>.</summary>
    [field: NotAChild]
    public FakeQuantize WeightFakeQuant { get; }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = GradMode.ForLayer(Linear, input.RequiresGrad);
        Linear.RequireInput(input);
        var output = Linear.Activation.Apply(Functional.Linear(input, WeightFakeQuant.Forward(Linear.Weight), Linear.Bias));
        return Linear.OutputObserver is { } observer ? observer.Forward(output) : output;
    }

    protected override string ExtraRepr() => "fake-quantized weight";
}
