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

    /// <summary>Whether <see cref="Slide"/> applies: whole windows slide, over every channel (<see cref="DepthwiseQuads.SlidingChannels"/>).</summary>
    public static bool CanSlide(in ConvGeometry g) => DepthwiseQuads.CanSlide(g) && DepthwiseQuads.SlidingChannels(g.InChannels) == g.InChannels;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y)
    {
        long* quads = t.QuadInputs + 4 * window->QuadStart;
        int* offsets = t.QuadOffsets + window->Offsets;
        int quadCount = window->QuadCount, channels = t.Channels, c = 0;
        sbyte* w = t.QuadWeights + 4L * window->QuadStart * t.PaddedChannels;
        for (; c + 32 <= channels; c += 32, w += quadCount * 128)
        {
            Accumulate(corner + c, quads, quadCount, w, offsets + c, false, default, out var a0, out var a1, out var a2, out var a3);
            DepthwiseQuads.Requantize(t, a0, a1, a2, a3, c).Store(y + c);
        }
        if (c < channels)
        {
            if (Avx512BW.VL.IsSupported)
            {
                // Masked loads do not fault on the bytes past the last channel.
                var mask = Vector256.LessThan(Vector256<byte>.Indices, Vector256.Create((byte)(channels - c)));
                Accumulate(corner + c, quads, quadCount, w, offsets + c, true, mask, out var a0, out var a1, out var a2, out var a3);
                Avx512BW.VL.MaskStore(y + c, mask, DepthwiseQuads.Requantize(t, a0, a1, a2, a3, c));
            }
            else
            {
                DepthwiseScalar.Channels(t, corner, window, y, c);
            }
        }
    }

    /// <summary>A run of whole 3×3 windows along a row: <see cref="DepthwiseQuads.Slide{TDot}"/> on <c>vpdpbusd</c>.</summary>
    public static void Slide(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int count) =>
        DepthwiseQuads.Slide<VnniQuad>(t, corner, window, y, count, t.Channels);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(
        byte* x, long* quads, int quadCount, sbyte* w, int* offsets, bool partial, Vector256<byte> mask,
        out Vector256<int> a0, out Vector256<int> a1, out Vector256<int> a2, out Vector256<int> a3)
    {
        a0 = Vector256.Load(offsets);
        a1 = Vector256.Load(offsets + 8);
        a2 = Vector256.Load(offsets + 16);
        a3 = Vector256.Load(offsets + 24);
        for (long* quad = quads, end = quads + 4 * quadCount; quad < end; quad += 4, w += 128)
        {
            Vector256<byte> x0 = DepthwiseQuads.Load(x + quad[0], partial, mask), x1 = DepthwiseQuads.Load(x + quad[1], partial, mask);
            Vector256<byte> x2 = DepthwiseQuads.Load(x + quad[2], partial, mask), x3 = DepthwiseQuads.Load(x + quad[3], partial, mask);
            Vector256<short> low01 = Avx2.UnpackLow(x0, x1).AsInt16(), high01 = Avx2.UnpackHigh(x0, x1).AsInt16();
            Vector256<short> low23 = Avx2.UnpackLow(x2, x3).AsInt16(), high23 = Avx2.UnpackHigh(x2, x3).AsInt16();
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, Avx2.UnpackLow(low01, low23).AsByte(), Vector256.Load(w));
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, Avx2.UnpackHigh(low01, low23).AsByte(), Vector256.Load(w + 32));
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, Avx2.UnpackLow(high01, high23).AsByte(), Vector256.Load(w + 64));
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, Avx2.UnpackHigh(high01, high23).AsByte(), Vector256.Load(w + 96));
        }
    }
}
