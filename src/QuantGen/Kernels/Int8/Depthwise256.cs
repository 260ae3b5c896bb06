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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y) => Channels(t, corner, window, y, 0);

    /// <summary>Channels from <paramref name="c"/> (a multiple of 16) to the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Channels(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int c)
    {
        long* inputs = t.TapInputs + window->TapStart;
        int* offsets = t.ReorderedOffsets + window->Offsets;
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
        float* m = t.ReorderedMultipliers + at;
        Vector256<int> pairs = Scale(t, even, m) + Avx2.ShiftLeftLogical(Scale(t, odd, m + 16), 8) + Vector256.Create(t.Constants->PairZeroPoint);
        Vector256<ushort> words = Avx2.PackUnsignedSaturate(pairs, pairs);   // per 128-bit lane: p0–p3 twice, then p4–p7 twice
        Avx2.Permute4x64(words.AsUInt64(), 0b10_00_10_00).GetLower().AsByte().Store(y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Scale(in DepthwiseTables t, Vector256<int> acc, float* m)
    {
        var scaled = Avx.ConvertToVector256Single(acc) * Vector256.Load(m);
        return Avx.ConvertToVector256Int32(Avx.Min(Avx.Max(scaled, Vector256.Create(t.Constants->Low)), Vector256.Create(t.Constants->High)));
    }
}
