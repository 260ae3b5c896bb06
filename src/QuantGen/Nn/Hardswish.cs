using QuantGen.Kernels.Reference;

namespace QuantGen.Nn;

/// <summary>
/// x·ReLU6(x + 3)/6, as in MobileNetV3; gradient 0 below −3, x/3 + 1/2 up to 3, 1 above (PyTorch's). Its int8 form
/// has the output qparams calibration observed.
/// </summary>
public sealed class Hardswish(bool inplace = false) : PointwiseActivation
{
    public bool Inplace { get; } = inplace;

    protected override bool WritesInPlace => Inplace;

    protected override float Function(float x) => x * Math.Clamp(x + 3f, 0f, 6f) / 6f;

    protected override float Derivative(float x, float y) => x < -3f ? 0f : x <= 3f ? x / 3f + 0.5f : 1f;

    internal override byte[] Table(ActivationQParams input, ActivationQParams output) => QLookup.Hardswish(input, output);

    protected override string ExtraRepr() => Inplace ? "inplace=True" : "";
}
