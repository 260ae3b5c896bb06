namespace QuantGen.Nn;

/// <summary>
/// The error function in double, to about 1e-15 (.NET has none): its Taylor series below 2.5, and above it
/// 1 − erfc with erfc from its continued fraction, both of which converge fast there.
/// </summary>
internal static class Erf
{
    public static double Of(double x)
    {
        if (double.IsNaN(x)) return x;
        double a = Math.Abs(x);
        double value = a < 2.5 ? Series(a) : 1 - ComplementContinuedFraction(a);
        return x < 0 ? -value : value;
    }

    /// <summary>erf(x) = 2/√π · Σ (−1)ⁿ x^(2n+1) / (n!·(2n+1)).</summary>
    private static double Series(double x)
    {
        double term = x, sum = x, squared = x * x;
        for (int n = 1; n < 100; n++)
        {
            term *= -squared / n;
            double next = term / (2 * n + 1);
            sum += next;
            if (Math.Abs(next) < 1e-17 * Math.Abs(sum)) break;
        }
        return sum * 1.1283791670955125739; // 2/√π
    }

    /// <summary>erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from the tail.</summary>
    private static double ComplementContinuedFraction(double x)
    {
        if (x > 27) return 0;
        double fraction = x;
        for (int k = 60; k >= 1; k--) fraction = x + k / 2.0 / fraction;
        return Math.Exp(-x * x) / fraction * 0.56418958354775628695; // 1/√π
    }
}
