using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The AVX-VNNI depthwise pixel, for layers whose weight zero points are all 0 (so <c>w′ = w</c> fits a signed byte):
/// 32 channels a step, four taps at a time. Byte and word unpacks gather each channel's four tap bytes into one int32
/// lane and one <c>vpdpbusd</c> adds the four u8×s8 products to it, exactly (no saturation; |4·255·128| ≪ 2³¹). All on
/// 256-bit registers, whose in-lane shuffles can issue on two ports.
/// </summary>
/// <remarks>
/// The unpacks leave accumulator k with channels <c>4k..4k+3</c> and <c>16+4k..16+4k+3</c> (see <see cref="QuadOrder"/>);
/// the requantize's packs, also in-lane, undo exactly that, so the bytes come out in channel order.
/// </remarks>
internal readonly unsafe struct DepthwiseVnni : IDepthwisePixel
{
    public static bool IsSupported => AvxVnni.IsSupported;

    /// <summary>Where channel <paramref name="c"/>'s accumulator lane lies within its 32-channel chunk, in the unpacks' order.</summary>
    public static int QuadOrder(int c) => (c & ~31) | (c & 15) >> 2 << 3 | (c & 16) >> 2 | (c & 3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y)
    {
        long* quads = t.QuadInputs + 4 * window->QuadStart;
        int* offsets = t.ReorderedOffsets + window->Offsets;
        int quadCount = window->QuadCount, channels = t.Channels, c = 0;
        sbyte* w = t.QuadWeights + 4L * window->QuadStart * t.PaddedChannels;
        for (; c + 32 <= channels; c += 32, w += quadCount * 128)
        {
            Accumulate(corner + c, quads, quadCount, w, offsets + c, false, default, out var a0, out var a1, out var a2, out var a3);
            Requantize(t, a0, a1, a2, a3, c).Store(y + c);
        }
        if (c < channels)
        {
            if (Avx512BW.VL.IsSupported)
            {
                // Masked loads do not fault on the bytes past the last channel.
                var mask = Vector256.LessThan(Vector256<byte>.Indices, Vector256.Create((byte)(channels - c)));
                Accumulate(corner + c, quads, quadCount, w, offsets + c, true, mask, out var a0, out var a1, out var a2, out var a3);
                Avx512BW.VL.MaskStore(y + c, mask, Requantize(t, a0, a1, a2, a3, c));
            }
            else
            {
                DepthwiseScalar.Channels(t, corner, window, y, c);
            }
        }
    }

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
            Vector256<byte> x0 = Load(x + quad[0], partial, mask), x1 = Load(x + quad[1], partial, mask);
            Vector256<byte> x2 = Load(x + quad[2], partial, mask), x3 = Load(x + quad[3], partial, mask);
            Vector256<short> low01 = Avx2.UnpackLow(x0, x1).AsInt16(), high01 = Avx2.UnpackHigh(x0, x1).AsInt16();
            Vector256<short> low23 = Avx2.UnpackLow(x2, x3).AsInt16(), high23 = Avx2.UnpackHigh(x2, x3).AsInt16();
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, Avx2.UnpackLow(low01, low23).AsByte(), Vector256.Load(w));
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, Avx2.UnpackHigh(low01, low23).AsByte(), Vector256.Load(w + 32));
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, Avx2.UnpackLow(high01, high23).AsByte(), Vector256.Load(w + 64));
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, Avx2.UnpackHigh(high01, high23).AsByte(), Vector256.Load(w + 96));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Load(byte* x, bool partial, Vector256<byte> mask) =>
        partial ? Avx512BW.VL.MaskLoad(x, mask, Vector256<byte>.Zero) : Vector256.Load(x);

    /// <summary>
    /// <see cref="Epilogue256.Requantize"/>'s rounding, then a signed pack to int16 (the clamped values lie in
    /// [−255, 255]), the zero point added as int16, and an unsigned pack to bytes (now in [0, 255], so exact).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Requantize(in DepthwiseTables t, Vector256<int> a0, Vector256<int> a1, Vector256<int> a2, Vector256<int> a3, int c)
    {
        float* m = t.ReorderedMultipliers + c;
        var zeroPoint = Vector256.Create(t.Constants->WordZeroPoint);
        Vector256<short> low = Avx2.PackSignedSaturate(Scale(t, a0, m), Scale(t, a1, m + 8)) + zeroPoint;
        Vector256<short> high = Avx2.PackSignedSaturate(Scale(t, a2, m + 16), Scale(t, a3, m + 24)) + zeroPoint;
        return Avx2.PackUnsignedSaturate(low, high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Scale(in DepthwiseTables t, Vector256<int> acc, float* m)
    {
        var scaled = Avx.ConvertToVector256Single(acc) * Vector256.Load(m);
        return Avx.ConvertToVector256Int32(Avx.Min(Avx.Max(scaled, Vector256.Create(t.Constants->Low)), Vector256.Create(t.Constants->High)));
    }
}
