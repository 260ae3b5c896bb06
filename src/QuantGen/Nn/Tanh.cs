using QuantGen.Kernels.Reference;

namespace QuantGen.Nn;

/// <summary>
/// tanh(x); gradient 1 − y². On quint8 its output qparams are fixed, scale 2/256 and zero point 128, as in PyTorch:
/// it needs no observer.
/// </summary>
public sealed class Tanh : PointwiseActivation
{
    protected override float Function(float x) => MathF.Tanh(x);

    protected override float Derivative(float x, float y) => 1f - y * y;

    internal override ActivationQParams? FixedOutput => QLookup.SymmetricOutput;

    internal override byte[] Table(ActivationQParams input, ActivationQParams output) => QLookup.Tanh(input, output);
}
