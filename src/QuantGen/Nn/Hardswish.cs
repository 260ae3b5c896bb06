using QuantGen.Kernels.Reference;

namespace QuantGen.Nn;

/// <summary>x·ReLU6(x + 3)/6, as in MobileNetV3; gradient 0 below −3, (2x + 3)/6 up to 3, 1 above (PyTorch's).</summary>
public sealed class Hardswish : PointwiseActivation
{
    protected override float Function(float x) => x * Math.Clamp(x + 3f, 0f, 6f) / 6f;

    protected override float Derivative(float x, float y) => x < -3f ? 0f : x <= 3f ? x / 3f + 0.5f : 1f;

    internal override byte[] Table(ActivationQParams input, ActivationQParams output) => QLookup.Hardswish(input, output);
}
