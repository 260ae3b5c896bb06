using QuantGen.Kernels.Reference;

namespace QuantGen.Nn;

/// <summary>
/// ReLU6(x + 3)/6, the squeeze-excite gate of MobileNetV3; gradient 1/6 strictly inside (−3, 3), else 0 (PyTorch's).
/// On quint8 its output qparams are fixed, scale 1/256 and zero point 0, as in PyTorch: it needs no observer.
/// </summary>
public sealed class Hardsigmoid(bool inplace = false) : PointwiseActivation
{
    public bool Inplace { get; } = inplace;

    protected override bool WritesInPlace => Inplace;

    protected override float Function(float x) => Math.Clamp(x + 3f, 0f, 6f) / 6f;

    protected override float Derivative(float x, float y) => x > -3f && x < 3f ? 1f / 6f : 0f;

    internal override ActivationQParams? FixedOutput => QLookup.UnitOutput;

    internal override byte[] Table(ActivationQParams input, ActivationQParams output) => QLookup.Hardsigmoid(input, output);

    protected override string ExtraRepr() => Inplace ? "inplace=True" : "";
}
