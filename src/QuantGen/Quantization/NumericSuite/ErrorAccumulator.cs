namespace QuantGen.Quantization;

/// <summary>Sums for an <see cref="ErrorSummary"/>, added to one span pair at a time, in float64.</summary>
internal sealed class ErrorAccumulator
{
    private double signal, noise, absSum, absMax;
    private long count;

    public void Add(ReadOnlySpan<float> reference, ReadOnlySpan<float> actual)
    {
        if (reference.Length != actual.Length)
        {
            throw new ArgumentException($"Compared {reference.Length} reference values with {actual.Length}.");
        }
        for (int i = 0; i < reference.Length; i++)
        {
            double x = reference[i], d = x - actual[i];
            signal += x * x;
            noise += d * d;
            absSum += Math.Abs(d);
            absMax = Math.Max(absMax, Math.Abs(d));
        }
        count += reference.Length;
    }

    public ErrorSummary Summary() => new(
        noise == 0 ? double.PositiveInfinity : 10 * Math.Log10(signal / noise),
        absMax, count == 0 ? 0 : absSum / count, count);
}
