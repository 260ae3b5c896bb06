using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// Software prefetch of a weight panel ahead of a one-row pass over it (<see cref="IGemmTile.One"/>). One row uses each
/// weight once, so the pass streams the panels from L3 with nothing to hide the wait behind: ImageNet MobileNetV2's
/// classifier (1280 → 1000 at batch 1, 1.3 MB of weights) took 74 µs in the pass with the hardware prefetchers alone
/// (17 GB/s) and 27 µs with these (Zen 3). Prefetching in four-row tiles as well, for the first tile of a block over each
/// panel, measured no faster on MNIST at batch 1, whose 2×2 layers are such tiles.
/// </summary>
/// <remarks>
/// A pass reads <see cref="Enabled"/> once, before its K loop (<see cref="ForPass"/>). Read in the loop, the first one-row
/// method compiled (at its first call, <see cref="HotLoop.Compiled"/>) ran before this class was initialized, so its loop
/// kept the class's initialization check, a possible call, and the JIT kept the accumulators on the stack around it:
/// MNIST MobileNetV2's 1×1 projections took 2.5–7.6 times as long on AVX-VNNI (Sapphire Rapids, bench/RESULTS.md).
/// </remarks>
internal readonly unsafe struct PanelPrefetch
{
    /// <summary>How far ahead of the line being read: 12 to 48 lines measured alike; 16 is a kilobyte.</summary>
    private const int Distance = Lines * CacheLine;

    private const int Lines = 16;

    private const int CacheLine = 64;

    /// <summary>
    /// Whether the one-row passes prefetch: on every CPU but Zen 4, whose hardware prefetchers stream the panels faster
    /// alone. There, MNIST MobileNetV2's one-row layers with L2 flushed before each call (weights in L3) took 0.75–0.95
    /// of their time with these prefetches, and 0.86–0.95 from memory; every other line was in between from L3 and
    /// slower still from memory (<c>--one-row-prefetch</c> in bench/ measures it on any machine). Read once per pass, not
    /// folded by the JIT, so that the bench can compare both in one process.
    /// </summary>
    internal static bool Enabled = !CpuModel.Current.IsZen4;

    private readonly bool on;

    private PanelPrefetch(bool on) => this.on = on;

    /// <summary>The switch as it stands, for one pass over a panel: called before the pass's K loop, not in it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static PanelPrefetch ForPass() => new(Sse.IsSupported && Enabled);

    /// <summary>Requests the lines <see cref="Distance"/> past the <paramref name="bytes"/> (up to four lines) from <paramref name="read"/> that a step reads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Ahead(void* read, int bytes)
    {
        if (!on) return;
        byte* ahead = (byte*)read + Distance;
        Sse.Prefetch0(ahead);
        if (bytes > CacheLine) Sse.Prefetch0(ahead + CacheLine);
        if (bytes > 2 * CacheLine) Sse.Prefetch0(ahead + 2 * CacheLine);
        if (bytes > 3 * CacheLine) Sse.Prefetch0(ahead + 3 * CacheLine);
    }
}
