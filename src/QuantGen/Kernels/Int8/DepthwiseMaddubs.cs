using System.Runtime.CompilerServices;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The AVX2 depthwise pixel for layers whose weight zero points are all 0 (so <c>w′ = w</c> fits a signed byte). A run
/// of whole 3×3 windows whose bytes are all ≤ 127 takes <see cref="DepthwiseQuads"/>' four-tap lanes through
/// <see cref="MaddubsQuad"/>: <c>vpmaddubsw</c> sums a lane's bytes in pairs (rows 0 and 1, row 2 and a zero), exact
/// because |127·(−128) + 127·(−128)| = 32512 fits int16, and <c>vpmaddwd</c> by ones adds the pairs. 12 multiplies an
/// output per 32 channels instead of <see cref="Depthwise256"/>'s 18 per 16. Any other run, and every border pixel,
/// takes <see cref="Depthwise256"/>'s exact int16 steps, as do the channels past the last whole 32 without AVX-512's masked loads.
/// </summary>
/// <remarks>
/// A calibrated ReLU or ReLU6 activation observed over [0, 127] (PyTorch's reduce-range qconfigs) keeps its bytes there
/// unless an input goes beyond what calibration saw, so nearly every run takes the fast steps. The check reads the run's
/// three input rows once; a layer told its input range is within [0, 127] skips it (<see cref="DepthwiseTables.ChecksBytes"/>).
/// </remarks>
internal readonly unsafe struct DepthwiseMaddubs : IDepthwisePixel
{
    public static bool SlidesAlongRows => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y) => Depthwise256.Run(t, corner, window, y);

    public static void Slide(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int count)
    {
        if (t.ChecksBytes && AnyAbove127(t, corner, count))
        {
            Depthwise256.Slide(t, corner, window, y, count);
            return;
        }
        int quads = DepthwiseQuads.SlidingChannels(t.Channels);
        DepthwiseQuads.Slide<MaddubsQuad>(t, corner, window, y, count, quads);
        if (quads < t.Channels) Depthwise256.SlideFrom(t, corner, window, y, count, quads);
    }

    /// <summary>Whether a byte the run reads is above 127: its three rows of <c>(count − 1)·stride + 3</c> whole pixels from the corner.</summary>
    private static bool AnyAbove127(in DepthwiseTables t, byte* corner, int count)
    {
        long bytes = ((long)(count - 1) * t.ColumnStride + 3) * t.Channels;
        return ByteRange.AnyAbove127(corner, bytes) || ByteRange.AnyAbove127(corner + t.RowStep, bytes) ||
            ByteRange.AnyAbove127(corner + 2 * t.RowStep, bytes);
    }
}
