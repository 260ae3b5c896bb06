using QuantGen.Kernels.Reference;

namespace QuantGen.Nn;

/// <summary>
/// 1/(1 + e⁻ˣ); gradient y(1 − y). On quint8 its output qparams are fixed, scale 1/256 and zero point 0, as in
/// PyTorch: it needs no observer.
/// </summary>
public sealed class Sigmoid : PointwiseActivation
{
    protected override float Function(float x) => 1f / (1f + MathF.Exp(-x));

    protected override float Derivative(float x, float y) => y * (1f - y);

    internal override ActivationQParams? FixedOutput => QLookup.UnitOutput;

    internal override byte[] Table(ActivationQParams input, ActivationQParams output) => QLookup.Sigmoid(input, output);
}
