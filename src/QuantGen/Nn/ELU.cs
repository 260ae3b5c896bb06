using QuantGen.Kernels.Reference;

namespace QuantGen.Nn;

/// <summary>
/// x where x &gt; 0, else <see cref="Alpha"/>·(eˣ − 1); gradient 1, else y + α. Its int8 form has the output qparams
/// calibration observed.
/// </summary>
public sealed class ELU(float alpha = 1f, bool inplace = false) : PointwiseActivation
{
    public float Alpha { get; } = alpha;

    public bool Inplace { get; } = inplace;

    protected override bool WritesInPlace => Inplace;

    // In double, so that eˣ − 1 keeps its digits near 0, as PyTorch's expm1 does.
    protected override float Function(float x) => x > 0f ? x : (float)(Alpha * (Math.Exp(x) - 1));

    protected override float Derivative(float x, float y) => x > 0f ? 1f : y + Alpha;

    internal override byte[] Table(ActivationQParams input, ActivationQParams output) => QLookup.Elu(input, output, Alpha);

    protected override string ExtraRepr() => $"alpha={Alpha}" + (Inplace ? ", inplace=True" : "");
}
