using QuantGen.Autograd;

namespace QuantGen.Nn;

/// <summary>
/// x·σ(x) (the swish of EfficientNet), as PyTorch's <c>SiLU</c>. Has no int8 kernel: stays float in a quantized model
/// (a float island).
/// </summary>
public sealed class SiLU(bool inplace = false) : Layer
{
    public bool Inplace { get; } = inplace;

    protected override Tensor FloatForward(Tensor input) =>
        FloatActivation.Apply(input, Inplace, "SiLU", Value, static (x, y) =>
        {
            float sigmoid = 1f / (1f + MathF.Exp(-x));
            return sigmoid * (1f + x * (1f - sigmoid));
        });

    /// <summary>x·σ(x), as x/(1 + e^−x).</summary>
    internal static float Value(float x) => x / (1f + MathF.Exp(-x));

    protected override string ExtraRepr() => Inplace ? "inplace=True" : "";
}
