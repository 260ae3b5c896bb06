using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The AVX-VNNI depthwise pixel, for layers whose weight zero points are all 0 (so <c>w′ = w</c> fits a signed byte):
/// 32 channels a step, four taps at a time in <see cref="DepthwiseQuads"/>' lanes, one <c>vpdpbusd</c> adding a lane's
/// four u8×s8 products exactly (no saturation; |4·255·128| ≪ 2³¹).
/// </summary>
internal readonly unsafe struct DepthwiseVnni : IDepthwisePixel
{
    public static bool IsSupported => AvxVnni.IsSupported;

    public static bool SlidesAlongRows => true;

    /// <summary>Whether <see cref="Slide"/> applies: whole windows slide, over every channel (<see cref="DepthwiseQuads.QuadChannels"/>).</summary>
    public static bool CanSlide(in ConvGeometry g) => DepthwiseQuads.CanSlide(g) && DepthwiseQuads.QuadChannels(g.InChannels) == g.InChannels;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y)
    {
        int quads = DepthwiseQuads.QuadChannels(t.Channels);
        DepthwiseQuads.Pixel<VnniQuad>(t, corner, window, y, quads);
        if (quads < t.Channels) DepthwiseScalar.Channels(t, corner, window, y, quads);
    }

    public static bool SlidesPaddedRows => true;

    /// <summary>A whole output row, borders included: <see cref="DepthwiseQuads.SlidePaddedRow{TDot}"/> on <c>vpdpbusd</c>, exact for any byte (the pad's too).</summary>
    public static void SlidePaddedRow(in DepthwiseTables t, byte* top, WindowRows rows, byte* y, int count, bool rightPad) =>
        DepthwiseQuads.SlidePaddedRow<VnniQuad>(t, top, rows, y, count, rightPad);

    public static bool SlidesRowPairs => true;

    /// <summary>Two whole output rows at stride 1: <see cref="DepthwiseQuads.SlidePaddedRowPair{TDot}"/> on <c>vpdpbusd</c>.</summary>
    public static void SlidePaddedRowPair(in DepthwiseTables t, byte* top, PairRows rows, byte* y, long outputRow, int count) =>
        DepthwiseQuads.SlidePaddedRowPair<VnniQuad>(t, top, rows, y, outputRow, count);

    /// <summary>A run of whole 3×3 windows along a row: <see cref="DepthwiseQuads.Slide{TDot}"/> on <c>vpdpbusd</c>.</summary>
    /// <remarks>A call of its own: inlined into the window walk beside the padded rows' dispatch, it left the JIT's inlining budget short.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Slide(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int count) =>
        DepthwiseQuads.Slide<VnniQuad>(t, corner, window, y, count, t.Channels);
}
