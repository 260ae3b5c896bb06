namespace QuantGen.Nn;

/// <summary>PyTorch's <c>approximate</c> argument of <see cref="GELU"/>: <c>"none"</c> or <c>"tanh"</c>.</summary>
public enum GeluApproximation
{
    /// <summary>x·Φ(x) with the exact normal CDF.</summary>
    None,

    /// <summary>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    Tanh,
}

/// <summary>
/// The Gaussian error linear unit, as PyTorch's <c>GELU</c>. Has no int8 kernel: stays float in a quantized model
/// (a float island).
/// </summary>
public sealed class GELU(GeluApproximation approximate = GeluApproximation.None) : Layer
{
    private const double InverseSqrt2 = 0.70710678118654752440, InverseSqrt2Pi = 0.39894228040143267794, Sqrt2OverPi = 0.79788456080286535588;

    public GeluApproximation Approximate { get; } = approximate;

    protected override Tensor FloatForward(Tensor input) => Approximate == GeluApproximation.Tanh
        ? FloatActivation.Apply(input, false, "GELU", Value, static (x, _) => (float)TanhForm(x).Derivative)
        : FloatActivation.Apply(input, false, "GELU", Value,
            static (x, _) => (float)(0.5 * (1 + Erf.Of(x * InverseSqrt2)) + x * InverseSqrt2Pi * Math.Exp(-0.5 * x * x)));

    /// <summary>The op's value at x, computed in double and rounded once.</summary>
    internal float Value(float x) => Approximate == GeluApproximation.Tanh
        ? (float)TanhForm(x).Value
        : (float)(0.5 * x * (1 + Erf.Of(x * InverseSqrt2)));

    private static (double Value, double Derivative) TanhForm(double x)
    {
        double inner = Sqrt2OverPi * (x + 0.044715 * x * x * x);
        double t = Math.Tanh(inner);
        return (0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * Sqrt2OverPi * (1 + 3 * 0.044715 * x * x));
    }

    protected override string ExtraRepr() => $"approximate='{Approximate.ToString().ToLowerInvariant()}'";
}
