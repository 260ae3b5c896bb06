using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The AVX2 depthwise pixel: 16 channels a step. Per inside tap, one <c>vpmovzxbw</c> widens 16 bytes to int16 in
/// channel order and two <c>vpmaddwd</c> against <see cref="DepthwisePacking.EvenOddWeights"/> add the even and the
/// odd channels' products to two int32 accumulators (exact: one product per lane, |255·255| ≪ 2³¹). Also the tail of
/// <see cref="Depthwise512"/>.
/// </summary>
internal readonly unsafe struct Depthwise256 : IDepthwisePixel
{
    /// <summary>
    /// Where channel <paramref name="c"/>'s accumulator lane lies: within each 32 channels, the 16 even ones then the 16
    /// odd ones. A 16-channel half <c>h</c> of a chunk thus finds its evens at <c>h/2</c> and its odds at <c>16 + h/2</c>.
    /// </summary>
    public static int EvenOdd(int c) => (c & ~31) | (c & 1) << 4 | (c & 31) >> 1;

    /// <summary>Whether <see cref="Slide"/> applies: a 3×3 kernel (any stride and dilation; the taps' steps are in the tables).</summary>
    public static bool CanSlide(in ConvGeometry g) => g.KernelHeight == 3 && g.KernelWidth == 3;

    public static bool SlidesAlongRows => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y) => Channels(t, corner, window, y, 0);

    /// <summary>
    /// A run of whole 3×3 windows along a row, 16 channels at a time across the run: the chunk's offsets, multipliers and
    /// clamp bounds stay in registers for the whole run, and the nine taps are unrolled at fixed steps from the corner,
    /// so a pixel costs its 9 widening loads, 18 <c>vpmaddwd</c> and the requantize, and no table lookups or loop per tap.
    /// </summary>
    public static void Slide(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int count) =>
        SlideFrom(t, corner, window, y, count, 0);

    /// <summary><see cref="Slide"/> for channels from <paramref name="c"/> (a multiple of 16) to the end.</summary>
    public static void SlideFrom(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int count, int c)
    {
        int channels = t.Channels;
        long rowStep = t.RowStep, columnStep = t.ColumnStep, pixelStep = (long)t.ColumnStride * channels;
        int* offsets = t.EvenOddOffsets + window->Offsets;
        short* weights = t.EvenOddWeights + 2L * window->TapStart * t.PaddedChannels;   // the whole class: taps in row-major order
        var low = Vector256.Create(t.Constants->Low);
        var high = Vector256.Create(t.Constants->High);
        var pairZeroPoint = Vector256.Create(t.Constants->PairZeroPoint);
        for (; c + 16 <= channels; c += 16)
        {
            int half = c & 16, at = c - half / 2;
            Vector256<int> evenStart = Vector256.Load(offsets + at), oddStart = Vector256.Load(offsets + at + 16);
            Vector256<float> evenScale = Vector256.Load(t.EvenOddMultipliers + at), oddScale = Vector256.Load(t.EvenOddMultipliers + at + 16);
            short* w = weights + (long)(c - half) * 9 * 2 + half;
            byte* x = corner + c, output = y + c;
            for (int i = 0; i < count; i++, x += pixelStep, output += channels)
            {
                Vector256<int> even = evenStart, odd = oddStart;
                Row(x, columnStep, w, ref even, ref odd);
                Row(x + rowStep, columnStep, w + 3 * 64, ref even, ref odd);
                Row(x + 2 * rowStep, columnStep, w + 6 * 64, ref even, ref odd);
                StoreRequantized(even, odd, evenScale, oddScale, low, high, pairZeroPoint, output);
            }
        }
        for (int i = 0; i < count && c < channels; i++) DepthwiseScalar.Channels(t, corner + i * pixelStep, window, y + i * channels, c);
    }

    /// <summary>One kernel row's three taps into the even and odd accumulators; each tap's weights are 64 int16 on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(byte* x, long columnStep, short* w, ref Vector256<int> even, ref Vector256<int> odd)
    {
        Vector256<short> bytes = Avx2.ConvertToVector256Int16(x);
        even += Avx2.MultiplyAddAdjacent(bytes, Vector256.Load(w));
        odd += Avx2.MultiplyAddAdjacent(bytes, Vector256.Load(w + 32));
        bytes = Avx2.ConvertToVector256Int16(x + columnStep);
        even += Avx2.MultiplyAddAdjacent(bytes, Vector256.Load(w + 64));
        odd += Avx2.MultiplyAddAdjacent(bytes, Vector256.Load(w + 96));
        bytes = Avx2.ConvertToVector256Int16(x + 2 * columnStep);
        even += Avx2.MultiplyAddAdjacent(bytes, Vector256.Load(w + 128));
        odd += Avx2.MultiplyAddAdjacent(bytes, Vector256.Load(w + 160));
    }

    /// <summary>Channels from <paramref name="c"/> (a multiple of 16) to the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Channels(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int c)
    {
        long* inputs = t.TapInputs + window->TapStart;
        int* offsets = t.EvenOddOffsets + window->Offsets;
        int count = window->TapCount, channels = t.Channels;
        short* weights = t.EvenOddWeights + 2L * window->TapStart * t.PaddedChannels;
        for (; c + 16 <= channels; c += 16)
        {
            // The second half of a 32-channel chunk starts 8 lanes into its evens and its odds.
            int half = c & 16, at = c - half / 2;
            Vector256<int> even = Vector256.Load(offsets + at), odd = Vector256.Load(offsets + at + 16);
            byte* x = corner + c;
            short* w = weights + (long)(c - half) * count * 2 + half;
            for (long* tap = inputs, end = inputs + count; tap < end; tap++, w += 64)
            {
                Vector256<short> bytes = Avx2.ConvertToVector256Int16(x + *tap);
                even += Avx2.MultiplyAddAdjacent(bytes, Vector256.Load(w));
                odd += Avx2.MultiplyAddAdjacent(bytes, Vector256.Load(w + 32));
            }
            Store(t, even, odd, at, y + c);
        }
        DepthwiseScalar.Channels(t, corner, window, y, c);
    }

    /// <summary>
    /// Requantizes the even and odd channels (<see cref="Epilogue256.Requantize"/>'s rounding argument) and stores them
    /// in channel order: <c>(even + z) + (odd + z)·256</c> holds both bytes of a channel pair (each in [0, 255] after
    /// the clamp, so nothing carries), and one unsigned pack to 16 bits, exact below 65536, leaves them in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(in DepthwiseTables t, Vector256<int> even, Vector256<int> odd, int at, byte* y)
    {
        float* m = t.EvenOddMultipliers + at;
        StoreRequantized(even, odd, Vector256.Load(m), Vector256.Load(m + 16), Vector256.Create(t.Constants->Low),
            Vector256.Create(t.Constants->High), Vector256.Create(t.Constants->PairZeroPoint), y);
    }

    /// <summary>
    /// <see cref="Store"/>'s requantize with its constants from the caller, so that <see cref="Slide"/> keeps them in
    /// registers along its run.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRequantized(
        Vector256<int> even, Vector256<int> odd, Vector256<float> evenScale, Vector256<float> oddScale,
        Vector256<float> low, Vector256<float> high, Vector256<int> pairZeroPoint, byte* y)
    {
        Vector256<int> pairs = Scale(even, evenScale, low, high) + Avx2.ShiftLeftLogical(Scale(odd, oddScale, low, high), 8) + pairZeroPoint;
        Vector256<ushort> words = Avx2.PackUnsignedSaturate(pairs, pairs);   // per 128-bit lane: p0–p3 twice, then p4–p7 twice
        Avx2.Permute4x64(words.AsUInt64(), 0b10_00_10_00).GetLower().AsByte().Store(y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Scale(Vector256<int> acc, Vector256<float> multipliers, Vector256<float> low, Vector256<float> high)
    {
        var scaled = Avx.ConvertToVector256Single(acc) * multipliers;
        return Avx.ConvertToVector256Int32(Avx.Min(Avx.Max(scaled, low), high));
    }
}
