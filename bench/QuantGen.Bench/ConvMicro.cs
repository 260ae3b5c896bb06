using System.Diagnostics;
using QuantGen.Kernels;
using QuantGen.Kernels.Float;

namespace QuantGen.Bench;

/// <summary><c>--conv-micro</c>: one float convolution's packed-weight forward alone, median µs per call, for A/B runs of the kernel.</summary>
internal static class ConvMicro
{
    public static void Run()
    {
        ConvGeometry[] shapes =
        [
            new(1, 384, 2, 2, 64, 1, 1), new(1, 576, 2, 2, 96, 1, 1), new(1, 960, 1, 1, 320, 1, 1), new(1, 320, 1, 1, 1280, 1, 1),
            new(1, 64, 2, 2, 384, 1, 1), new(1, 1, 28, 28, 32, 3, 3, 2, 2, 1, 1), new(64, 320, 1, 1, 1280, 1, 1), new(64, 576, 2, 2, 96, 1, 1),
            new(64, 1, 28, 28, 32, 3, 3, 2, 2, 1, 1),
        ];
        var random = new Random(1);
        foreach (ConvGeometry g in shapes)
        {
            float[] x = Values(random, g.InputLength), w = Values(random, g.WeightLength), b = Values(random, g.OutChannels), y = new float[g.OutputLength];
            var packed = PackedConvWeights.Pack(g, w);
            int calls = Math.Max(1, 2_000_000 / (int)Math.Min(int.MaxValue, (long)g.OutputLength * g.InChannels / g.Groups * g.KernelHeight * g.KernelWidth));
            var times = new double[31];
            // Past tiered JIT (tier 0 and OSR code is many times slower) before timing.
            var warm = Stopwatch.StartNew();
            while (warm.ElapsedMilliseconds < 700) FloatConv2d.Forward(g, x, packed, b, y);
            for (int r = 0; r < times.Length; r++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int c = 0; c < calls; c++) FloatConv2d.Forward(g, x, packed, b, y);
                times[r] = (Stopwatch.GetTimestamp() - start) * 1e6 / Stopwatch.Frequency / calls;
            }
            Array.Sort(times);
            Console.WriteLine($"| {g.Batch}x{g.InChannels}x{g.InHeight}x{g.InWidth} -> {g.OutChannels} k{g.KernelHeight} | {times[times.Length / 2]:F2} | {times[0]:F2} |");
        }
    }

    private static float[] Values(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
