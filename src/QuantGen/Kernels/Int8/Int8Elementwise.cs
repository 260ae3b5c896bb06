using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The residual add of <see cref="QAdd"/>, with its multipliers computed once: the same bytes, 32 elements a step on
/// AVX2. The reference computes in int64, but int32 is exact: both multipliers are at most 2²² and
/// <c>|x − z| ≤ 255</c>, so <c>|acc| ≤ 2·2²²·255 &lt; 2³¹</c>; the shift lies in [14, 31], so the mask
/// <c>2^shift − 1</c> picks the same low bits of an int32 as of the int64, and the arithmetic shift the same quotient.
/// </summary>
internal sealed class Int8Add
{
    private readonly int a, b, shift, aZero, bZero, zero, min, max;

    public Int8Add(ActivationQParams aQ, ActivationQParams bQ, ActivationQParams outputQ, FusedActivation activation)
    {
        aQ.Validate(nameof(aQ));
        bQ.Validate(nameof(bQ));
        outputQ.Validate(nameof(outputQ));
        AddMultipliers m = AddMultipliers.Create(aQ.Scale, bQ.Scale, outputQ.Scale);
        OutputRange range = OutputRange.For(activation, outputQ);
        (a, b, shift) = (m.A, m.B, m.Shift);
        (aZero, bZero, zero, min, max) = (aQ.ZeroPoint, bQ.ZeroPoint, outputQ.ZeroPoint, range.Min, range.Max);
    }

    public void Forward(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> output)
    {
        ReferenceChecks.SameLength(x.Length, y.Length, "QAdd (second input)");
        ReferenceChecks.SameLength(x.Length, output.Length, "QAdd");
        int i = 0;
        if (Avx2.IsSupported)
        {
            ref byte xr = ref MemoryMarshal.GetReference(x), yr = ref MemoryMarshal.GetReference(y), or = ref MemoryMarshal.GetReference(output);
            for (; i + 32 <= x.Length; i += 32)
            {
                var xs = Vector256.LoadUnsafe(ref xr, (nuint)i);
                var ys = Vector256.LoadUnsafe(ref yr, (nuint)i);
                var (x0, x1) = Vector256.Widen(xs);
                var (y0, y1) = Vector256.Widen(ys);
                var low = Vector256.Narrow(Quarter(x0.GetLower(), y0.GetLower()), Quarter(x0.GetUpper(), y0.GetUpper()));
                var high = Vector256.Narrow(Quarter(x1.GetLower(), y1.GetLower()), Quarter(x1.GetUpper(), y1.GetUpper()));
                // Values are clamped to [0, 255] already, so narrowing by truncation is exact.
                Vector256.Narrow(low.AsUInt16(), high.AsUInt16()).StoreUnsafe(ref or, (nuint)i);
            }
        }
        for (; i < x.Length; i++) output[i] = (byte)Scalar(x[i], y[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Quarter(Vector128<ushort> x, Vector128<ushort> y)
    {
        var acc = Vector256.Create(a) * (Avx2.ConvertToVector256Int32(x) - Vector256.Create(aZero))
            + Vector256.Create(b) * (Avx2.ConvertToVector256Int32(y) - Vector256.Create(bZero));
        var mask = Vector256.Create((1 << shift) - 1);
        var remainder = (acc & mask) + Vector256.ShiftRightArithmetic(acc, 31);   // less one for negative values
        var rounded = Vector256.ShiftRightArithmetic(acc, shift) - Vector256.GreaterThan(remainder, mask >>> 1);
        return Vector256.Min(Vector256.Max(rounded + Vector256.Create(zero), Vector256.Create(min)), Vector256.Create(max));
    }

    private int Scalar(int x, int y)
    {
        int acc = a * (x - aZero) + b * (y - bZero);
        int mask = (1 << shift) - 1, remainder = (acc & mask) - (acc < 0 ? 1 : 0);
        int rounded = (acc >> shift) + (remainder > mask >> 1 ? 1 : 0);
        return Math.Clamp(zero + rounded, min, max);
    }
}

/// <summary>Float → quint8 as <see cref="Quantize.ToUInt8"/>, 8 values a step on AVX.</summary>
internal static class Int8Quantize
{
    /// <remarks>
    /// <c>vroundps</c> rounds half to even as <c>MathF.Round</c>; the rounded value is clamped in float to
    /// <c>[qmin − z, qmax − z]</c> (integers, so this equals the reference's clamp after adding z) with
    /// <c>vmaxps(r, lo)</c> first, which returns <c>lo</c> for NaN: qmin, as the reference.
    /// </remarks>
    public static void Activations(ReadOnlySpan<float> values, ActivationQParams q, Span<byte> output)
    {
        q.Validate(nameof(q));
        ReferenceChecks.SameLength(values.Length, output.Length, "Quantize.Activations");
        int i = 0;
        if (Avx2.IsSupported)
        {
            var inverse = Vector256.Create(1f / q.Scale);
            var low = Vector256.Create((float)(byte.MinValue - q.ZeroPoint));
            var high = Vector256.Create((float)(byte.MaxValue - q.ZeroPoint));
            var zero = Vector256.Create(q.ZeroPoint);
            ref float x = ref MemoryMarshal.GetReference(values);
            ref byte y = ref MemoryMarshal.GetReference(output);
            for (; i + 16 <= values.Length; i += 16)
            {
                var q0 = Step(Vector256.LoadUnsafe(ref x, (nuint)i), inverse, low, high) + zero;
                var q1 = Step(Vector256.LoadUnsafe(ref x, (nuint)i + 8), inverse, low, high) + zero;
                var shorts = Vector256.Narrow(q0, q1);   // in [0, 255]
                Vector128.Narrow(shorts.GetLower().AsUInt16(), shorts.GetUpper().AsUInt16()).StoreUnsafe(ref y, (nuint)i);
            }
        }
        for (; i < values.Length; i++) output[i] = Quantize.ToUInt8(values[i], q);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Step(Vector256<float> x, Vector256<float> inverse, Vector256<float> low, Vector256<float> high) =>
        Avx.ConvertToVector256Int32(Avx.Min(Avx.Max(Avx.RoundToNearestInteger(x * inverse), low), high));
}
