using QuantGen.Kernels.Int8;

namespace QuantGen.Bench;

/// <summary>
/// One profiled layer built two ways (<see cref="LayerPathComparison"/>: on two paths; <see cref="TileComparison"/>: on
/// two register tiles), its bytes compared, then timed call against call (<see cref="Interleaved"/>).
/// </summary>
internal static class LayerAgainstLayer
{
    /// <summary>The medians of <paramref name="a"/> and <paramref name="b"/> and the pairs' ratios b / a; throws if their bytes differ.</summary>
    public static (double MedianA, double MedianB, double[] Ratios) Time(ProfiledLayer profiled, Int8Conv2d a, Int8Conv2d b, string what, int pairs)
    {
        byte[] outputB = new byte[profiled.Output.Length];
        a.Forward(profiled.Input, profiled.Output);
        b.Forward(profiled.Input, outputB);
        if (!profiled.Output.AsSpan().SequenceEqual(outputB))
        {
            throw new InvalidOperationException($"{profiled.Name}: the bytes of its {what} differ.");
        }
        var (timesA, timesB, ratios) = Interleaved.Run(() => a.Forward(profiled.Input, profiled.Output), () => b.Forward(profiled.Input, outputB), pairs);
        return (Interleaved.Median(timesA), Interleaved.Median(timesB), ratios);
    }
}
