using QuantGen.Kernels;
using QuantGen.Kernels.Int8;

namespace QuantGen.Bench;

/// <summary>
/// <c>--compare-tiles &lt;tile&gt; [batch] [28|224] [name filter]</c>: each GEMM convolution of <see cref="LayerProfile"/>'s
/// model on the register tile its path chose, against the same layer built on <c>tile</c> (a <see cref="GemmTile"/>
/// name, through <see cref="QGemm.ForcedTile"/>), call against call (<see cref="Interleaved"/>); the bytes must agree.
/// Says whether a tile choice holds on this CPU: e.g. that the 4×24 tile's projections to 24 channels beat 4×32 panels
/// padded to 32 (1.24× their time) on Sapphire Rapids.
/// </summary>
internal static class TileComparison
{
    public static void Run(GemmTile tile, int batch, int size, string filter, int pairs)
    {
        Console.WriteLine($"Batch {batch}, {size}×{size}, path {Int8KernelPaths.Current}, one thread, {pairs} pairs of calls a layer, alternating. B = {tile}.");
        Console.WriteLine();
        Console.WriteLine("| layer | shape (in → out) | chosen tile (A) | A median | B median | B / A (quartiles) |");
        Console.WriteLine("|---|---|---|---:|---:|---:|");
        foreach (ProfiledLayer profiled in LayerProfile.Layers(LayerProfile.ConvertedModel(size), batch, size))
        {
            if (!profiled.Name.Contains(filter, StringComparison.Ordinal)) continue;
            Int8Conv2d chosen = profiled.Build();
            if (chosen.Gemm is null) continue;
            Int8Conv2d forced = Forced(tile, profiled.Build);
            var (medianA, medianB, ratios) = LayerAgainstLayer.Time(profiled, chosen, forced, $"{chosen.Gemm.Tile} and {tile} GEMMs", pairs);
            Console.WriteLine($"| {profiled.Name} | {LayerProfile.Shape(profiled.Geometry)} | {chosen.Gemm.Tile} " +
                $"| {medianA * 1e6:F1} µs | {medianB * 1e6:F1} µs | {Interleaved.Summary(ratios, "F3")} |");
        }
    }

    private static Int8Conv2d Forced(GemmTile tile, Func<Int8Conv2d> build)
    {
        QGemm.ForcedTile = tile;
        try
        {
            return build();
        }
        finally
        {
            QGemm.ForcedTile = null;
        }
    }
}
