using QuantGen.Kernels.Reference;

namespace QuantGen.Nn;

/// <summary>
/// x where x &gt; 0, else x·<see cref="NegativeSlope"/>; gradient 1 or the slope. Its int8 form has the output
/// qparams calibration observed.
/// </summary>
public sealed class LeakyReLU(float negativeSlope = 0.01f, bool inplace = false) : PointwiseActivation
{
    public float NegativeSlope { get; } = negativeSlope;

    public bool Inplace { get; } = inplace;

    protected override bool WritesInPlace => Inplace;

    protected override float Function(float x) => x > 0f ? x : x * NegativeSlope;

    protected override float Derivative(float x, float y) => x > 0f ? 1f : NegativeSlope;

    internal override byte[] Table(ActivationQParams input, ActivationQParams output) => QLookup.LeakyRelu(input, output, NegativeSlope);

    protected override string ExtraRepr() => $"negative_slope={NegativeSlope}" + (Inplace ? ", inplace=True" : "");
}
