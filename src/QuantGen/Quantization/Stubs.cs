using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// Marks where a model's input becomes quantized, as PyTorch's <c>QuantStub</c>: the identity in float; its
/// observer records the input range during calibration, and after convert it quantizes with that range.
/// </summary>
public sealed class QuantStub : Layer
{
    protected override Tensor FloatForward(Tensor input) => input;
}

/// <summary>Marks where a model's output returns to float, as PyTorch's <c>DeQuantStub</c>; the identity in float.</summary>
public sealed class DeQuantStub : Layer
{
    protected override Tensor FloatForward(Tensor input) => input;
}
