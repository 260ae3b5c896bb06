using System.Runtime.CompilerServices;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The AVX2 depthwise pixel for layers whose weight zero points are all 0 (so <c>w′ = w</c> fits a signed byte): where
/// the bytes are all at most the layer's <see cref="DepthwiseTables.InputLimit"/>, <see cref="DepthwiseQuads"/>' four-tap
/// lanes through <see cref="MaddubsQuad"/>, whose <c>vpmaddubsw</c> sums a lane's bytes in pairs (exact up to that limit,
/// 128 at worst: <see cref="ByteRange"/>), and whose <c>vpmaddwd</c> by ones adds the pairs: a 3×3 window costs 12
/// multiplies per 32 channels, where <see cref="Depthwise256"/>'s exact int16 steps take 18 per 16. Elsewhere, those steps.
/// </summary>
/// <remarks>
/// Activations seldom come near the top of their calibrated range, where a layer's limit lies (no byte passed it in
/// either MobileNetV2 fixture's passes), but nothing rules it out. So a call first scans its input
/// (<see cref="QDepthwise"/>); if a byte is above the limit, each run of whole windows checks its own three rows, and
/// single pixels take the exact steps. A layer told its input range is within the limit skips the scan
/// (<see cref="DepthwiseTables.ChecksBytes"/>). Channels past the last whole 32 take the exact steps too where AVX-512's
/// masked loads are missing.
/// </remarks>
internal readonly unsafe struct DepthwiseMaddubs : IDepthwisePixel
{
    public static bool SlidesAlongRows => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y)
    {
        if (t.ChecksBytes)
        {
            Depthwise256.Run(t, corner, window, y);
            return;
        }
        int quads = DepthwiseQuads.QuadChannels(t.Channels);
        DepthwiseQuads.Pixel<MaddubsQuad>(t, corner, window, y, quads);
        if (quads < t.Channels) Depthwise256.Channels(t, corner, window, y, quads);
    }

    /// <remarks>A call of its own, as <see cref="DepthwiseVnni.Slide"/>: inlined into the window walk, it left the JIT's inlining budget short.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Slide(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int count)
    {
        if (t.ChecksBytes && AnyAboveLimit(t, corner, count))
        {
            Depthwise256.Slide(t, corner, window, y, count);
            return;
        }
        int quads = DepthwiseQuads.QuadChannels(t.Channels);
        DepthwiseQuads.Slide<MaddubsQuad>(t, corner, window, y, count, quads);
        if (quads < t.Channels) Depthwise256.SlideFrom(t, corner, window, y, count, quads);
    }

    public static bool SlidesPaddedRows => true;

    /// <summary>
    /// A whole output row, borders included (<see cref="DepthwiseQuads.SlidePaddedRow{TDot}"/>), where the call's bytes
    /// and the pad byte are all within the limit: the tables have a pad row only then (<see cref="QDepthwise"/>).
    /// </summary>
    public static void SlidePaddedRow(in DepthwiseTables t, byte* top, WindowRows rows, byte* y, int count, bool rightPad) =>
        DepthwiseQuads.SlidePaddedRow<MaddubsQuad>(t, top, rows, y, count, rightPad);

    public static bool SlidesRowPairs => true;

    /// <summary>Two whole output rows at stride 1 (<see cref="DepthwiseQuads.SlidePaddedRowPair{TDot}"/>), under the same condition as <see cref="SlidePaddedRow"/>.</summary>
    public static void SlidePaddedRowPair(in DepthwiseTables t, byte* top, PairRows rows, byte* y, long outputRow, int count) =>
        DepthwiseQuads.SlidePaddedRowPair<MaddubsQuad>(t, top, rows, y, outputRow, count);

    /// <summary>Whether a byte the run reads is above the limit: its three rows of <c>(count − 1)·stride + 3</c> whole pixels from the corner.</summary>
    private static bool AnyAboveLimit(in DepthwiseTables t, byte* corner, int count)
    {
        long bytes = ((long)(count - 1) * t.ColumnStride + 3) * t.Channels;
        byte limit = t.InputLimit;
        return ByteRange.AnyAbove(corner, bytes, limit) || ByteRange.AnyAbove(corner + t.RowStep, bytes, limit) ||
            ByteRange.AnyAbove(corner + 2 * t.RowStep, bytes, limit);
    }
}
