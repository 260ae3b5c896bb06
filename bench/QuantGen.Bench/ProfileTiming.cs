using System.Diagnostics;

namespace QuantGen.Bench;

/// <summary>The Stopwatch medians of the step profiles (<see cref="StepProfile"/>, <see cref="FloatStepProfile"/>).</summary>
internal static class ProfileTiming
{
    /// <summary>The median over passes of one step's ticks (<c>ticks[step, pass]</c>), in µs.</summary>
    public static double MedianMicros(long[,] ticks, int step)
    {
        var row = new long[ticks.GetLength(1)];
        for (int p = 0; p < row.Length; p++) row[p] = ticks[step, p];
        Array.Sort(row);
        return row[row.Length / 2] * 1e6 / Stopwatch.Frequency;
    }

    /// <summary>The median of <paramref name="repeats"/> timed calls of <paramref name="action"/>, in seconds.</summary>
    public static double WholeMedian(Action action, int repeats)
    {
        var times = new double[repeats];
        for (int r = 0; r < times.Length; r++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[r] = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }
}
