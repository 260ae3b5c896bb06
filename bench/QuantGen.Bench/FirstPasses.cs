using System.Diagnostics;

namespace QuantGen.Bench;

/// <summary>
/// <c>--first-passes [size] [batch]</c>: how fast a fresh process's first passes run, as a service's first requests
/// would. Times every pass of the generated int8 pass for three seconds from its first call and prints the median in
/// windows of time since then: the passes before the runtime's tiered JIT has compiled the kernels optimized show as
/// the early windows' excess over the last one.
/// </summary>
internal static class FirstPasses
{
    private static readonly double[] WindowEnds = [0.001, 0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 3];

    public static void Run(int size, int batch)
    {
        (float[] images, int classes) = Int8Models.Images(size, batch);
        var logits = new float[batch * classes];
        Action pass = Int8Models.GeneratedPass(size, images, logits, batch);

        var times = new List<(double At, double Seconds)>();
        long first = Stopwatch.GetTimestamp();
        double at = 0;
        while (at < WindowEnds[^1])
        {
            long start = Stopwatch.GetTimestamp();
            pass();
            long end = Stopwatch.GetTimestamp();
            times.Add((at, (end - start) / (double)Stopwatch.Frequency));
            at = (end - first) / (double)Stopwatch.Frequency;
        }

        Console.WriteLine($"The first {times.Count} passes of a fresh process, {size}×{size}, batch {batch}; the first one {times[0].Seconds * 1e3:F1} ms.");
        Console.WriteLine();
        Console.WriteLine("| passes starting | passes | median |");
        Console.WriteLine("|---|---:|---:|");
        double from = 0;
        foreach (double to in WindowEnds)
        {
            double[] window = times.Skip(1).Where(t => t.At >= from && t.At < to).Select(t => t.Seconds).Order().ToArray();
            if (window.Length > 0) Console.WriteLine($"| {from * 1e3:F0}–{to * 1e3:F0} ms | {window.Length} | {window[window.Length / 2] * 1e6:F1} µs |");
            from = to;
        }
    }
}
