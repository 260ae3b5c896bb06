using System.Diagnostics;
using QuantGen;

namespace MnistQuantization;

/// <summary>
/// Median wall time of one forward pass, one thread, after warm-up. A quick figure for the table; the
/// careful side-by-side numbers are BenchmarkDotNet's, in bench/RESULTS.md.
/// </summary>
internal static class Latency
{
    /// <summary>Warms up for about a quarter second, then times runs for about a second (5 to 500 of them).</summary>
    public static double MedianMilliseconds(Variant variant, Tensor input)
    {
        var warmup = Stopwatch.StartNew();
        do variant.Predict(input); while (warmup.ElapsedMilliseconds < 250);

        var times = new List<double>();
        var budget = Stopwatch.StartNew();
        while (times.Count < 5 || (times.Count < 500 && budget.ElapsedMilliseconds < 1000))
        {
            long start = Stopwatch.GetTimestamp();
            variant.Predict(input);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        times.Sort();
        int n = times.Count;
        return n % 2 == 1 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
    }
}
