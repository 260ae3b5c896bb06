namespace QuantGen.Tests.Kernels;

/// <summary>
/// How far a float32 kernel may be from the float64 reference. Any order of summing t float32 terms (products
/// fused or not) is within γ(t)·Σ|term| of the exact sum, γ(t) = t·u / (1 − t·u), u = 2⁻²⁴ (Higham, Accuracy and
/// Stability of Numerical Algorithms, §3.1). So the bound follows from the number of terms of each output
/// (k products, plus the bias or the old C) and the sum of their magnitudes; it is never tuned to make tests pass.
/// A wrong index shifts an output by about one term, Σ|term| / t, far more than γ(t)·Σ|term| for any t here.
/// </summary>
public static class Tolerance
{
    private const double UnitRoundoff = 1.0 / (1 << 24);
    private const double Absolute = 1e-30;

    public static double Bound(int terms, double magnitudeSum)
    {
        double t = terms + 1;
        return t * UnitRoundoff / (1 - t * UnitRoundoff) * magnitudeSum + Absolute;
    }

    /// <summary>Fails with the first output outside its bound, naming the case and the index.</summary>
    public static void AssertClose(ReadOnlySpan<float> actual, double[] expected, double[] magnitudeSums, int terms, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            double bound = Bound(terms, magnitudeSums[i]);
            if (!(error <= bound))
            {
                Assert.Fail($"{what}: output {i} is {actual[i]:R}, expected {expected[i]:R} (error {error:E2} > bound {bound:E2}, {terms} terms).");
            }
        }
    }
}
