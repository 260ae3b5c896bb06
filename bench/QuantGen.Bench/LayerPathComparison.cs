using QuantGen.Kernels;
using QuantGen.Kernels.Int8;

namespace QuantGen.Bench;

/// <summary>
/// <c>--compare-layer-paths &lt;pathA&gt; &lt;pathB&gt; [batch] [28|224]</c>: each convolution of <see cref="LayerProfile"/>'s
/// model built on two kernel paths and timed call against call (<see cref="Interleaved"/>), with the kernel each path
/// chose. Says which kernel a layer shape should get on this CPU; the table of one path per process cannot, when the
/// same layer moves 30% from one process to the next on a shared host.
/// </summary>
internal static class LayerPathComparison
{
    public static void Run(Int8KernelPath pathA, Int8KernelPath pathB, int batch, int size, int pairs)
    {
        Console.WriteLine($"Batch {batch}, {size}×{size}, one thread, {pairs} pairs of calls a layer, alternating. A = {pathA}, B = {pathB}.");
        Console.WriteLine();
        Console.WriteLine("| layer | kind | shape (in → out) | kernel A | kernel B | A median | B median | B / A (quartiles) |");
        Console.WriteLine("|---|---|---|---|---|---:|---:|---:|");
        double totalA = 0, totalB = 0;
        foreach (ProfiledLayer profiled in LayerProfile.Layers(LayerProfile.ConvertedModel(size), batch, size))
        {
            Int8Conv2d a = OnPath.Built(pathA, profiled.Build), b = OnPath.Built(pathB, profiled.Build);
            var (medianA, medianB, ratios) = LayerAgainstLayer.Time(profiled, a, b, $"{pathA} and {pathB} layers", pairs);
            totalA += medianA;
            totalB += medianB;
            ConvGeometry g = profiled.Geometry;
            Console.WriteLine($"| {profiled.Name} | {LayerProfile.Kind(a.Algorithm, g)} | {LayerProfile.Shape(g)} | {a.KernelName} | {b.KernelName} " +
                $"| {medianA * 1e6:F1} µs | {medianB * 1e6:F1} µs | {Interleaved.Summary(ratios, "F2")} |");
        }
        Console.WriteLine($"| all convolutions | | | | | {totalA * 1e6:F1} µs | {totalB * 1e6:F1} µs | {totalB / totalA:F3} (of the medians' sums) |");
    }
}
