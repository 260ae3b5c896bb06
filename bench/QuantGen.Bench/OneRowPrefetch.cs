using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics;
using System.Runtime.Intrinsics;
using QuantGen.Kernels.Int8;
using QuantGen.Models;

namespace QuantGen.Bench;

/// <summary>
/// <c>--one-row-prefetch [flushMB]</c>: whether <see cref="PanelPrefetch"/> pays on this CPU. Each one-row GEMM of the
/// converted 28×28 MobileNetV2 at batch 1 (its 1×1 layers, which stream their weights once a pass) is timed right after
/// reading a buffer of <c>flushMB</c> (3 by default: L2 evicted, the weights left in L3; 96 evicts L3 too), with the
/// prefetch on and off in alternating rounds in one process, beside a plain read of as many bytes after the same flush
/// (what this core can stream). Median of 401 calls a round, mean of 10 rounds. A diagnostic; it prints a markdown table.
/// </summary>
internal static class OneRowPrefetch
{
    private const int Rounds = 10;

    public static void Run(int flushMegabytes)
    {
        byte[] flush = new byte[flushMegabytes << 20];
        new Random(1).NextBytes(flush);
        MobileNetV2 model = LayerProfile.ConvertedModel(28);
        bool enabled = PanelPrefetch.Enabled;
        Console.WriteLine($"One-row GEMMs after a {flushMegabytes} MB read; prefetch on by default here: {enabled}. Path {Int8KernelPaths.Current}.");
        Console.WriteLine();
        Console.WriteLine("| layer | weights | prefetch on | prefetch off | off / on | plain read |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        try
        {
            foreach (ProfiledLayer profiled in LayerProfile.Layers(model, 1, 28))
            {
                if (profiled.Geometry is not { InHeight: 1, InWidth: 1, KernelHeight: 1, KernelWidth: 1 }) continue;
                Int8Conv2d layer = profiled.Build();
                // Written first: read untouched, a fresh array's pages can all be the kernel's one zero page, and this
                // column read 100–195 GB/s where written bytes stream at 33, the GEMMs' own rate (Sapphire Rapids).
                byte[] same = new byte[(long)layer.Gemm!.N * layer.Gemm.K];
                new Random(2).NextBytes(same);
                double on = 0, off = 0;
                for (int round = 0; round < Rounds; round++)
                {
                    PanelPrefetch.Enabled = true;
                    on += Cold(() => layer.Forward(profiled.Input, profiled.Output), flush) / Rounds;
                    PanelPrefetch.Enabled = false;
                    off += Cold(() => layer.Forward(profiled.Input, profiled.Output), flush) / Rounds;
                }
                double read = Cold(() => Read(same), flush);
                Console.WriteLine($"| {profiled.Name} | {same.Length / 1024} KB | {on * 1e6:F2} µs | {off * 1e6:F2} µs | {off / on:F3} | {read * 1e6:F2} µs ({same.Length / read / 1e9:F0} GB/s) |");
            }
        }
        finally
        {
            PanelPrefetch.Enabled = enabled;
        }
    }

    /// <summary>The median time of <paramref name="action"/>, each call after reading <paramref name="flush"/>.</summary>
    private static double Cold(Action action, byte[] flush)
    {
        var times = new double[401];
        for (int r = 0; r < times.Length; r++)
        {
            Read(flush);
            long start = Stopwatch.GetTimestamp();
            action();
            times[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }

    /// <summary>
    /// Every byte of <paramref name="bytes"/> through four independent sums of <see cref="Vector{T}"/> loads: the
    /// widest width this machine accelerates, so that the read is a fair ceiling on any CPU the mode is meant for
    /// (<see cref="Vector512{T}"/> is emulated, and slow, where AVX-512 is missing).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Read(byte[] bytes)
    {
        ref byte start = ref MemoryMarshal.GetArrayDataReference(bytes);
        int width = Vector<byte>.Count;
        Vector<int> a = default, b = default, c = default, d = default;
        nuint length = (nuint)bytes.Length & ~(nuint)(4 * width - 1);
        for (nuint o = 0; o < length; o += (nuint)(4 * width))
        {
            a += Vector.As<byte, int>(Vector.LoadUnsafe(ref start, o));
            b += Vector.As<byte, int>(Vector.LoadUnsafe(ref start, o + (nuint)width));
            c += Vector.As<byte, int>(Vector.LoadUnsafe(ref start, o + (nuint)(2 * width)));
            d += Vector.As<byte, int>(Vector.LoadUnsafe(ref start, o + (nuint)(3 * width)));
        }
        return Vector.Sum(a + b + c + d);
    }
}
