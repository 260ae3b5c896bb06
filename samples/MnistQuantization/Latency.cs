using System.Diagnostics;
using QuantGen;

namespace MnistQuantization;

/// <summary>
/// Median wall time of one forward pass, one thread, after warm-up. A quick figure for the table; the
/// careful side-by-side numbers are BenchmarkDotNet's, in bench/RESULTS.md.
/// </summary>
internal static class Latency
{
    public static double MedianMilliseconds(Variant variant, Tensor input, int warmups, int runs)
    {
        for (int i = 0; i < warmups; i++) variant.Predict(input);
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            variant.Predict(input);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    }
}
