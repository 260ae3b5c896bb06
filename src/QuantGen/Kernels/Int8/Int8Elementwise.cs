using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The residual add of <see cref="QAdd"/>, with its multipliers computed once: the same bytes, 64 elements a step on
/// AVX-512BW (on the paths that take zmm: AVX-512BW and AVX-VNNI where the machine has it), else 32 on AVX2. The reference computes in int64, but int32 is exact: both multipliers are at most 2²² and
/// <c>|x − z| ≤ 255</c>, so <c>|acc| ≤ 2·2²²·255 &lt; 2³¹</c>; the shift lies in [14, 31], so the mask
/// <c>2^shift − 1</c> picks the same low bits of an int32 as of the int64, and the arithmetic shift the same quotient.
/// </summary>
/// <remarks>
/// Each element's two bytes sit side by side as int16, and <c>vpmaddwd</c> takes <c>a·x + b·y</c> in two halves of the
/// multipliers, <c>a = a_hi·2¹¹ + a_lo</c> (both below 2¹¹ + 1, so int16): one multiply-add per half and eight
/// elements, where widening each input to int32 and <c>vpmulld</c> (two uops on Intel) took two multiplies and two more
/// unpacks. The unpacks and packs stay in lane, each pack undoing an unpack, so no element crosses a 128-bit lane:
/// widening through <c>vpmovzx</c> and narrowing by truncation took 25 lane-crossing shuffles per 32 elements, which
/// Zen 3 issues on one port (the adds ran at 1.4 cycles an element). The zero points fold into one constant,
/// <c>acc = a·x + b·y − (a·z_a + b·z_b)</c>, whose parts fit int32 as the sum does. The packs saturate, which leaves
/// a clamp to [0, 255] exact (see <see cref="Add32"/>). The zmm step is the ymm one instruction for instruction: the
/// 56×56 add of MobileNetV2 at 224×224 took 12.1 µs instead of 15.1, all ten 38 instead of 45 (Sapphire Rapids).
/// </remarks>
internal sealed class Int8Add
{
    /// <summary>Where the multipliers split: both halves of a multiplier up to 2²² fit an int16.</summary>
    private const int SplitBits = 11;

    private readonly int a, b, shift, zero, min, max;

    /// <summary><c>−(a·z_a + b·z_b)</c>: both zero points' terms of the sum, computed once.</summary>
    private readonly int zeroPointTerm;

    /// <summary>The multipliers' high and low halves as int16 pairs <c>(a, b)</c>, one pair an int32 lane, for <c>vpmaddwd</c>.</summary>
    private readonly int highPair, lowPair;

    /// <summary>Whether <see cref="Forward"/> takes 64 elements a step on zmm before the 32-element ymm steps.</summary>
    private readonly bool wide;

    public Int8Add(ActivationQParams aQ, ActivationQParams bQ, ActivationQParams outputQ, FusedActivation activation)
    {
        wide = Int8KernelPaths.TakesZmm(Int8KernelPaths.Current);
        aQ.Validate(nameof(aQ));
        bQ.Validate(nameof(bQ));
        outputQ.Validate(nameof(outputQ));
        AddMultipliers m = AddMultipliers.Create(aQ.Scale, bQ.Scale, outputQ.Scale);
        OutputRange range = OutputRange.For(activation, outputQ);
        (a, b, shift) = (m.A, m.B, m.Shift);
        (zero, min, max) = (outputQ.ZeroPoint, range.Min, range.Max);
        zeroPointTerm = unchecked(-(a * aQ.ZeroPoint) - b * bQ.ZeroPoint);
        const int lowMask = (1 << SplitBits) - 1;
        highPair = a >> SplitBits | (b >> SplitBits) << 16;
        lowPair = a & lowMask | (b & lowMask) << 16;
    }

    /// <summary>Elements a vector step takes: 64 on zmm, else 32 (on a machine without AVX2 the scalar loop takes them all).</summary>
    internal int StepElements => wide ? 64 : 32;

    [MethodImpl(HotLoop.Compiled)]
    public void Forward(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> output)
    {
        ReferenceChecks.SameLength(x.Length, y.Length, "QAdd (second input)");
        ReferenceChecks.SameLength(x.Length, output.Length, "QAdd");
        int i = 0;
        ref byte xr = ref MemoryMarshal.GetReference(x), yr = ref MemoryMarshal.GetReference(y), or = ref MemoryMarshal.GetReference(output);
        if (wide)
        {
            for (; i + 64 <= x.Length; i += 64) Add64(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref or, (nuint)i);
        }
        if (Avx2.IsSupported)
        {
            for (; i + 32 <= x.Length; i += 32) Add32(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref or, (nuint)i);
        }
        for (; i < x.Length; i++) output[i] = (byte)Scalar(x[i], y[i]);
    }

    /// <summary>
    /// 32 elements. The rounded sums pack to int16 with saturation and take the zero point with saturation, and the
    /// int16 values pack to bytes with saturation: a sum beyond int16 stays beyond [0, 255] on the same side, so the
    /// bytes are the clamp of the exact <c>rounded + zero</c>, then clamped to the activation's range.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<byte> Add32(Vector256<byte> xs, Vector256<byte> ys)
    {
        // Per 128-bit lane, elements 0–7 and 8–15 of the lane with their x and y bytes interleaved.
        Vector256<byte> low = Avx2.UnpackLow(xs, ys), high = Avx2.UnpackHigh(xs, ys);
        var zeroPoint = Vector256.Create((short)zero);
        Vector256<short> lowWords = Avx2.AddSaturate(Avx2.PackSignedSaturate(Quarter(low, lowHalf: true), Quarter(low, lowHalf: false)), zeroPoint);
        Vector256<short> highWords = Avx2.AddSaturate(Avx2.PackSignedSaturate(Quarter(high, lowHalf: true), Quarter(high, lowHalf: false)), zeroPoint);
        var bytes = Avx2.PackUnsignedSaturate(lowWords, highWords);
        return Vector256.Min(Vector256.Max(bytes, Vector256.Create((byte)min)), Vector256.Create((byte)max));
    }

    /// <summary>Four elements a lane of <paramref name="pairs"/> (x and y bytes interleaved), widened to int16 pairs: rounded int32 sums, before the zero point.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Quarter(Vector256<byte> pairs, bool lowHalf)
    {
        Vector256<short> words = (lowHalf ? Avx2.UnpackLow(pairs, Vector256<byte>.Zero) : Avx2.UnpackHigh(pairs, Vector256<byte>.Zero)).AsInt16();
        Vector256<int> high = Avx2.MultiplyAddAdjacent(words, Vector256.Create(highPair).AsInt16());
        Vector256<int> low = Avx2.MultiplyAddAdjacent(words, Vector256.Create(lowPair).AsInt16());
        var acc = Avx2.ShiftLeftLogical(high, SplitBits) + low + Vector256.Create(zeroPointTerm);
        var mask = Vector256.Create((1 << shift) - 1);
        var remainder = (acc & mask) + Vector256.ShiftRightArithmetic(acc, 31);   // less one for negative values
        return Vector256.ShiftRightArithmetic(acc, shift) - Vector256.GreaterThan(remainder, mask >>> 1);
    }

    /// <summary><see cref="Add32"/> on zmm: 64 elements, the unpacks and packs in each of the four 128-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<byte> Add64(Vector512<byte> xs, Vector512<byte> ys)
    {
        Vector512<byte> low = Avx512BW.UnpackLow(xs, ys), high = Avx512BW.UnpackHigh(xs, ys);
        var zeroPoint = Vector512.Create((short)zero);
        Vector512<short> lowWords = Avx512BW.AddSaturate(Avx512BW.PackSignedSaturate(Quarter(low, lowHalf: true), Quarter(low, lowHalf: false)), zeroPoint);
        Vector512<short> highWords = Avx512BW.AddSaturate(Avx512BW.PackSignedSaturate(Quarter(high, lowHalf: true), Quarter(high, lowHalf: false)), zeroPoint);
        var bytes = Avx512BW.PackUnsignedSaturate(lowWords, highWords);
        return Vector512.Min(Vector512.Max(bytes, Vector512.Create((byte)min)), Vector512.Create((byte)max));
    }

    /// <summary><see cref="Quarter(Vector256{byte}, bool)"/> on zmm.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> Quarter(Vector512<byte> pairs, bool lowHalf)
    {
        Vector512<short> words = (lowHalf ? Avx512BW.UnpackLow(pairs, Vector512<byte>.Zero) : Avx512BW.UnpackHigh(pairs, Vector512<byte>.Zero)).AsInt16();
        Vector512<int> high = Avx512BW.MultiplyAddAdjacent(words, Vector512.Create(highPair).AsInt16());
        Vector512<int> low = Avx512BW.MultiplyAddAdjacent(words, Vector512.Create(lowPair).AsInt16());
        var acc = Vector512.ShiftLeft(high, SplitBits) + low + Vector512.Create(zeroPointTerm);
        var mask = Vector512.Create((1 << shift) - 1);
        var remainder = (acc & mask) + Vector512.ShiftRightArithmetic(acc, 31);   // less one for negative values
        return Vector512.ShiftRightArithmetic(acc, shift) - Vector512.GreaterThan(remainder, mask >>> 1);
    }

    private int Scalar(int x, int y)
    {
        int acc = unchecked(a * x + b * y + zeroPointTerm);
        int mask = (1 << shift) - 1, remainder = (acc & mask) - (acc < 0 ? 1 : 0);
        int rounded = (acc >> shift) + (remainder > mask >> 1 ? 1 : 0);
        return Math.Clamp(zero + rounded, min, max);
    }
}
