using System.Diagnostics;

namespace QuantGen.Bench;

/// <summary>
/// Two calls timed one against the other in one process: warmed alike, then called in turns (which goes first
/// alternating), so that both meet the same moments of a shared machine. Each pair gives a ratio; the median ratio
/// is what the tools built on this report (<see cref="BuildComparison"/>, <see cref="PeerComparison"/>).
/// </summary>
/// <remarks>
/// With <see cref="TurnMilliseconds"/> set (<c>--turns 200</c>), each turn is a run of calls that long, timed by the median
/// of its calls after the first few, as BenchmarkDotNet times an engine in a run of its own: a call then meets the
/// state its own previous call left (caches, the core's clock after wide instructions), not the other's, while the
/// turns still share the host's slower moments alike.
/// </remarks>
internal static class Interleaved
{
    /// <summary>How long each turn runs its call repeatedly, or 0 for one call a turn.</summary>
    public static int TurnMilliseconds { get; set; }

    /// <summary>Per pair: the seconds of <paramref name="a"/>, of <paramref name="b"/>, and b / a.</summary>
    public static (double[] A, double[] B, double[] Ratios) Run(Action a, Action b, int pairs)
    {
        // Warm both to their final tier: the kernels are tiered, and a cold one would look slower than it is.
        var watch = Stopwatch.StartNew();
        for (int round = 0; round < 3; round++)
        {
            watch.Restart();
            while (watch.Elapsed.TotalMilliseconds < 300) a();
            watch.Restart();
            while (watch.Elapsed.TotalMilliseconds < 300) b();
        }
        var timesA = new double[pairs];
        var timesB = new double[pairs];
        var ratios = new double[pairs];
        for (int p = 0; p < pairs; p++)
        {
            // Alternate which goes first, so neither always follows the other's cache footprint.
            if (p % 2 == 0)
            {
                timesA[p] = Time(a);
                timesB[p] = Time(b);
            }
            else
            {
                timesB[p] = Time(b);
                timesA[p] = Time(a);
            }
            ratios[p] = timesB[p] / timesA[p];
        }
        return (timesA, timesB, ratios);
    }

    /// <summary>The median and quartiles of <paramref name="values"/>, as the tools print them.</summary>
    public static string Summary(double[] values, string format = "F4") =>
        $"{Quantile(values, 0.5).ToString(format)} (quartiles {Quantile(values, 0.25).ToString(format)}–{Quantile(values, 0.75).ToString(format)})";

    public static double Median(double[] values) => Quantile(values, 0.5);

    private static double Quantile(double[] values, double q)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted[(int)Math.Round(q * (sorted.Length - 1))];
    }

    private static double Time(Action call)
    {
        if (TurnMilliseconds > 0) return TimeTurn(call);
        long start = Stopwatch.GetTimestamp();
        call();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>The median call of a turn of <see cref="TurnMilliseconds"/>, its first quarter (and at least its first call) left out.</summary>
    private static double TimeTurn(Action call)
    {
        var times = new List<double>();
        long turnStart = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(turnStart).TotalMilliseconds < TurnMilliseconds || times.Count < 4)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return Median([.. times.Skip(Math.Max(1, times.Count / 4))]);
    }
}
