using QuantGen.Kernels;
using QuantGen.Kernels.Int8;

namespace QuantGen.Bench;

/// <summary>
/// <c>--pairing [28|224]</c>: for each pointwise convolution of <see cref="LayerProfile"/>'s converted model on this
/// machine's best path, whether its GEMM takes two K steps into one int16 sum (<see cref="StepPairing"/>), and how many
/// of its four-product groups needed a correction for bytes up to <see cref="StepPairing.Bound"/>.
/// </summary>
internal static class PairingProfile
{
    public static void Run(int size)
    {
        Console.WriteLine($"{size}×{size}, path {Int8KernelPaths.Current}; a group is four products of one int16 lane (N × ⌈K/8⌉ × 2 a layer).");
        Console.WriteLine();
        Console.WriteLine("| layer | shape (in → out) | tile | paired steps | corrections | groups | share |");
        Console.WriteLine("|---|---|---|---:|---:|---:|---:|");
        foreach (ProfiledLayer profiled in LayerProfile.Layers(LayerProfile.ConvertedModel(size), batch: 1, size))
        {
            Int8Conv2d layer = profiled.Build();
            if (layer.Algorithm != Int8ConvAlgorithm.Pointwise) continue;
            QGemm gemm = layer.Gemm!;
            long groups = (long)gemm.N * ((gemm.K + 7) / 8) * 2;
            Console.WriteLine($"| {profiled.Name} | {LayerProfile.Shape(profiled.Geometry)} | {gemm.Tile} | {gemm.PairedSteps} of {gemm.StepCount} " +
                $"| {gemm.PairingCorrections} | {groups} | {100.0 * gemm.PairingCorrections / groups:F2}% |");
        }
    }
}
