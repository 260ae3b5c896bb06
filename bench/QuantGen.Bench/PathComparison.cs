using QuantGen.Kernels.Int8;

namespace QuantGen.Bench;

/// <summary>
/// The generated int8 pass built on two kernel paths of this machine, timed pass against pass in one process:
/// <c>--compare-paths &lt;pathA&gt; &lt;pathB&gt; [28|224] [batch] [pairs]</c>, each path one of
/// <see cref="Int8KernelPath"/>'s names. Says which path a CPU should prefer (<see cref="Int8KernelPaths.Best"/>'s order):
/// process against process, the same pass moved 30% on a shared host, every step alike, path-independent ones too.
/// </summary>
internal static class PathComparison
{
    public static void Run(Int8KernelPath pathA, Int8KernelPath pathB, int size, int batch, int pairs)
    {
        (float[] images, int outputs) = Int8Models.Images(size, batch);
        float[] logitsA = new float[batch * outputs], logitsB = new float[batch * outputs];
        Action a = OnPath.Built(pathA, () => Int8Models.GeneratedPass(size, images, logitsA, batch));
        Action b = OnPath.Built(pathB, () => Int8Models.GeneratedPass(size, images, logitsB, batch));
        a();
        b();
        // Every path gives the reference's bytes, so the logits must be equal: checked, not assumed.
        int differing = 0;
        for (int i = 0; i < logitsA.Length; i++) differing += logitsA[i] == logitsB[i] ? 0 : 1;
        Console.WriteLine(differing == 0
            ? $"Logits: bit-equal ({logitsA.Length} values)."
            : $"Logits: {differing} of {logitsA.Length} values differ between the paths.");

        var (timesA, timesB, ratios) = Interleaved.Run(a, b, pairs);
        Console.WriteLine($"{(size == 224 ? "224×224" : "28×28")}, batch {batch}, one thread, {pairs} pairs of passes, alternating:");
        Console.WriteLine($"  A {pathA}: median {Interleaved.Median(timesA) * 1e6:F1} µs");
        Console.WriteLine($"  B {pathB}: median {Interleaved.Median(timesB) * 1e6:F1} µs");
        Console.WriteLine($"  B / A: median of the pairs' ratios {Interleaved.Summary(ratios)}");
    }
}
