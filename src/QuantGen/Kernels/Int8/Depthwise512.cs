using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The AVX-512 depthwise pixel: 32 channels a step, two taps at a time. One <c>vpermt2b</c> (AVX-512 VBMI) spreads
/// 16 channels of both taps' bytes into the halves of int32 lanes, zero-extended, and one <c>vpmaddwd</c> against
/// <see cref="DepthwiseTables.PairWeights"/> adds <c>x·w′ + x″·w″</c> to channel c's int32 lane, exactly
/// (|2·255·255| &lt; 2³¹). The accumulators stay in channel order, and a last chunk of fewer than 32 channels uses
/// masked loads and stores (which do not fault on the masked-off bytes), so any channel count runs here.
/// </summary>
internal readonly unsafe struct Depthwise512 : IDepthwisePixel
{
    public static bool IsSupported =>
        Avx512BW.IsSupported && Avx512BW.VL.IsSupported && Avx512Vbmi.IsSupported && Vector512.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y)
    {
        long* pairs = t.PairInputs + 2 * window->PairStart;
        int* offsets = t.Offsets + window->Offsets;
        int pairCount = window->PairCount, channels = t.Channels, c = 0;
        short* w = t.PairWeights + 2L * window->PairStart * t.PaddedChannels;
        // Each chunk's requantize is issued after the next chunk's sums, so that it does not wait on its own last adds.
        Vector512<int> previousLow = default, previousHigh = default;
        for (; c + 32 <= channels; c += 32, w += pairCount * 64)
        {
            Accumulate(corner + c, pairs, pairCount, w, offsets + c, false, default, out var low, out var high);
            if (c > 0) Requantize(t, previousLow, previousHigh, c - 32).Store(y + c - 32);
            (previousLow, previousHigh) = (low, high);
        }
        if (c > 0) Requantize(t, previousLow, previousHigh, c - 32).Store(y + c - 32);
        if (c < channels)
        {
            var mask = Vector256.LessThan(Vector256<byte>.Indices, Vector256.Create((byte)(channels - c)));
            Accumulate(corner + c, pairs, pairCount, w, offsets + c, true, mask, out var low, out var high);
            Avx512BW.VL.MaskStore(y + c, mask, Requantize(t, low, high, c));
        }
    }

    /// <summary>
    /// Channels 0–15 of the chunk into <paramref name="low"/>, 16–31 into <paramref name="high"/>. A 256-bit load
    /// clears the register's upper half, so bytes 32–63 of each table are zero: the permutes take their zero bytes there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(
        byte* x, long* pairs, int pairCount, short* w, int* offsets, bool partial, Vector256<byte> mask,
        out Vector512<int> low, out Vector512<int> high)
    {
        // Lane j: byte j of the first tap, a zero (byte 32), byte j of the second tap (table 2 starts at 64), a zero.
        var lowOrder = Vector512.Create(
            0x20_40_20_00u, 0x20_41_20_01, 0x20_42_20_02, 0x20_43_20_03, 0x20_44_20_04, 0x20_45_20_05, 0x20_46_20_06, 0x20_47_20_07,
            0x20_48_20_08, 0x20_49_20_09, 0x20_4A_20_0A, 0x20_4B_20_0B, 0x20_4C_20_0C, 0x20_4D_20_0D, 0x20_4E_20_0E, 0x20_4F_20_0F);
        var highOrder = Vector512.Create(
            0x20_50_20_10u, 0x20_51_20_11, 0x20_52_20_12, 0x20_53_20_13, 0x20_54_20_14, 0x20_55_20_15, 0x20_56_20_16, 0x20_57_20_17,
            0x20_58_20_18, 0x20_59_20_19, 0x20_5A_20_1A, 0x20_5B_20_1B, 0x20_5C_20_1C, 0x20_5D_20_1D, 0x20_5E_20_1E, 0x20_5F_20_1F);
        low = Vector512.Load(offsets);
        high = Vector512.Load(offsets + 16);
        for (long* pair = pairs, end = pairs + 2 * pairCount; pair < end; pair += 2, w += 64)
        {
            Vector512<byte> first = Load(x + pair[0], partial, mask), second = Load(x + pair[1], partial, mask);
            low += Avx512BW.MultiplyAddAdjacent(Avx512Vbmi.PermuteVar64x8x2(first, lowOrder.AsByte(), second).AsInt16(), Vector512.Load(w));
            high += Avx512BW.MultiplyAddAdjacent(Avx512Vbmi.PermuteVar64x8x2(first, highOrder.AsByte(), second).AsInt16(), Vector512.Load(w + 32));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Load(byte* x, bool partial, Vector256<byte> mask) =>
        (partial ? Avx512BW.VL.MaskLoad(x, mask, Vector256<byte>.Zero) : Vector256.Load(x)).ToVector512();

    /// <summary>
    /// <see cref="Epilogue256.Requantize"/>'s rounding on 32 channels; the results lie in [0, 255], so byte 0 of each lane
    /// is the output, and one <c>vpermt2b</c> gathers the 32 of them in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Requantize(in DepthwiseTables t, Vector512<int> low, Vector512<int> high, int c)
    {
        var zeroPoint = Vector512.Create(t.Constants->ZeroPoint);
        // Output byte j is byte 4j of the 128-byte table: lane j of the low half for j < 16, lane j − 16 of the high half after.
        var gather = Vector512.Create(
            0x0C_08_04_00u, 0x1C_18_14_10, 0x2C_28_24_20, 0x3C_38_34_30, 0x4C_48_44_40, 0x5C_58_54_50, 0x6C_68_64_60, 0x7C_78_74_70,
            0, 0, 0, 0, 0, 0, 0, 0).AsByte();
        Vector512<int> lowBytes = Scale(t, low, t.Multipliers + c) + zeroPoint, highBytes = Scale(t, high, t.Multipliers + c + 16) + zeroPoint;
        return Avx512Vbmi.PermuteVar64x8x2(lowBytes.AsByte(), gather, highBytes.AsByte()).GetLower();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Scale(in DepthwiseTables t, Vector512<int> acc, float* m)
    {
        var scaled = Avx512F.ConvertToVector512Single(acc) * Vector512.Load(m);
        return Avx512F.ConvertToVector512Int32(Avx512F.Min(Avx512F.Max(scaled, Vector512.Create(t.Constants->Low)), Vector512.Create(t.Constants->High)));
    }
}
