namespace QuantGen.Quantization;

/// <summary>
/// How far int8 values are from the float values they stand for, over every element compared: PyTorch's SQNR
/// (<c>torch.ao.ns.fx.utils.compute_sqnr</c>, 20·log10(‖x‖/‖x − y‖) in dB, higher is better), and the largest and mean
/// absolute difference.
/// </summary>
/// <param name="SqnrDb">Signal-to-quantization-noise ratio in dB; +∞ when the values are equal (PyTorch gives NaN or +∞ there).</param>
/// <param name="MaxAbsError">The largest |x − y|.</param>
/// <param name="MeanAbsError">The mean |x − y|.</param>
/// <param name="Count">How many elements were compared.</param>
public readonly record struct ErrorSummary(double SqnrDb, double MaxAbsError, double MeanAbsError, long Count);

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
