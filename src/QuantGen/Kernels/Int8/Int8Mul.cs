using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// <see cref="QMul"/> with its multiplier computed once, in NHWC: inputs of one length, or a per-sample channel gate
/// (squeeze-excite's [N, C, 1, 1] times [N, C, H, W]: every pixel's channels times the gate's). The vector paths
/// compute what the reference does, lane by lane: the int32 product of the centred bytes (exact), converted to float
/// (exact: at most 255²), times the multiplier (one float rounding, as the reference), rounded half to even, clamped
/// in float to the output's integer range, offset by the zero point. The path is the one
/// <see cref="Int8KernelPaths.Current"/> names when the kernel is built. Immutable: safe to share.
/// </summary>
internal sealed class Int8Mul
{
    private readonly Int8KernelPath path;
    private readonly int aZero, bZero, zero;
    private readonly float multiplier, low, high;

    public Int8Mul(ActivationQParams aQ, ActivationQParams bQ, ActivationQParams outputQ)
    {
        aQ.Validate(nameof(aQ));
        bQ.Validate(nameof(bQ));
        outputQ.Validate(nameof(outputQ));
        path = Int8KernelPaths.Current;
        (aZero, bZero, zero) = (aQ.ZeroPoint, bQ.ZeroPoint, outputQ.ZeroPoint);
        multiplier = QMul.Multiplier(aQ, bQ, outputQ);
        (low, high) = (-zero, byte.MaxValue - zero);
    }

    /// <summary>Inputs of one length.</summary>
    public void Forward(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output)
    {
        ReferenceChecks.SameLength(a.Length, b.Length, "QMul (second input)");
        ReferenceChecks.SameLength(a.Length, output.Length, "QMul");
        Row(a, b, output);
    }

    /// <summary>
    /// <paramref name="x"/> holds <paramref name="samples"/> samples of pixels × <paramref name="channels"/> (NHWC),
    /// <paramref name="gate"/> one row of channels per sample: output[s, p, c] = x[s, p, c] · gate[s, c].
    /// </summary>
    public void ForwardGate(ReadOnlySpan<byte> x, ReadOnlySpan<byte> gate, int samples, int channels, Span<byte> output)
    {
        ReferenceChecks.Length(gate.Length, (long)samples * channels, "the gate", "QMul", $"[{samples}, {channels}]");
        ReferenceChecks.SameLength(x.Length, output.Length, "QMul");
        if (samples == 0) return;
        int perSample = x.Length / samples;
        ReferenceChecks.Length(x.Length, (long)samples * perSample, "the input", "QMul", $"{samples} samples");
        for (int s = 0; s < samples; s++)
        {
            ReadOnlySpan<byte> row = gate.Slice(s * channels, channels);
            for (int at = s * perSample; at < (s + 1) * perSample; at += channels) Row(x.Slice(at, channels), row, output.Slice(at, channels));
        }
    }

    private void Row(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output)
    {
        int i = path switch
        {
            Int8KernelPath.Avx512BW => Vectors512(a, b, output),
            Int8KernelPath.Avx2 or Int8KernelPath.AvxVnni => Vectors256(a, b, output),
            Int8KernelPath.Vector128 => Vectors128(a, b, output),
            _ => 0,
        };
        for (; i < a.Length; i++) output[i] = QMul.Product(a[i] - aZero, b[i] - bZero, multiplier, zero);
    }

    private int Vectors512(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output)
    {
        ref byte ar = ref MemoryMarshal.GetReference(a), br = ref MemoryMarshal.GetReference(b), or = ref MemoryMarshal.GetReference(output);
        int i = 0;
        for (; i + 64 <= a.Length; i += 64)
        {
            var (a0, a1) = Vector512.Widen(Vector512.LoadUnsafe(ref ar, (nuint)i));
            var (b0, b1) = Vector512.Widen(Vector512.LoadUnsafe(ref br, (nuint)i));
            var (a00, a01) = Vector512.Widen(a0);
            var (a10, a11) = Vector512.Widen(a1);
            var (b00, b01) = Vector512.Widen(b0);
            var (b10, b11) = Vector512.Widen(b1);
            var low16 = Vector512.Narrow(Lanes(a00, b00), Lanes(a01, b01));
            var high16 = Vector512.Narrow(Lanes(a10, b10), Lanes(a11, b11));
            Vector512.Narrow(low16.AsUInt16(), high16.AsUInt16()).StoreUnsafe(ref or, (nuint)i);   // each in [0, 255]
        }
        return i;
    }

    private int Vectors256(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output)
    {
        ref byte ar = ref MemoryMarshal.GetReference(a), br = ref MemoryMarshal.GetReference(b), or = ref MemoryMarshal.GetReference(output);
        int i = 0;
        for (; i + 32 <= a.Length; i += 32)
        {
            var (a0, a1) = Vector256.Widen(Vector256.LoadUnsafe(ref ar, (nuint)i));
            var (b0, b1) = Vector256.Widen(Vector256.LoadUnsafe(ref br, (nuint)i));
            var (a00, a01) = Vector256.Widen(a0);
            var (a10, a11) = Vector256.Widen(a1);
            var (b00, b01) = Vector256.Widen(b0);
            var (b10, b11) = Vector256.Widen(b1);
            var low16 = Vector256.Narrow(Lanes(a00, b00), Lanes(a01, b01));
            var high16 = Vector256.Narrow(Lanes(a10, b10), Lanes(a11, b11));
            Vector256.Narrow(low16.AsUInt16(), high16.AsUInt16()).StoreUnsafe(ref or, (nuint)i);
        }
        return i;
    }

    private int Vectors128(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output)
    {
        ref byte ar = ref MemoryMarshal.GetReference(a), br = ref MemoryMarshal.GetReference(b), or = ref MemoryMarshal.GetReference(output);
        int i = 0;
        for (; i + 16 <= a.Length; i += 16)
        {
            var (a0, a1) = Vector128.Widen(Vector128.LoadUnsafe(ref ar, (nuint)i));
            var (b0, b1) = Vector128.Widen(Vector128.LoadUnsafe(ref br, (nuint)i));
            var (a00, a01) = Vector128.Widen(a0);
            var (a10, a11) = Vector128.Widen(a1);
            var (b00, b01) = Vector128.Widen(b0);
            var (b10, b11) = Vector128.Widen(b1);
            var low16 = Vector128.Narrow(Lanes(a00, b00), Lanes(a01, b01));
            var high16 = Vector128.Narrow(Lanes(a10, b10), Lanes(a11, b11));
            Vector128.Narrow(low16.AsUInt16(), high16.AsUInt16()).StoreUnsafe(ref or, (nuint)i);
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> Lanes(Vector512<uint> a, Vector512<uint> b)
    {
        var product = (a.AsInt32() - Vector512.Create(aZero)) * (b.AsInt32() - Vector512.Create(bZero));
        var scaled = Vector512.Round(Vector512.ConvertToSingle(product) * Vector512.Create(multiplier));
        var clamped = Vector512.Min(Vector512.Max(scaled, Vector512.Create(low)), Vector512.Create(high));
        return Vector512.ConvertToInt32(clamped) + Vector512.Create(zero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Lanes(Vector256<uint> a, Vector256<uint> b)
    {
        var product = (a.AsInt32() - Vector256.Create(aZero)) * (b.AsInt32() - Vector256.Create(bZero));
        var scaled = Vector256.Round(Vector256.ConvertToSingle(product) * Vector256.Create(multiplier));
        var clamped = Vector256.Min(Vector256.Max(scaled, Vector256.Create(low)), Vector256.Create(high));
        return Vector256.ConvertToInt32(clamped) + Vector256.Create(zero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<int> Lanes(Vector128<uint> a, Vector128<uint> b)
    {
        var product = (a.AsInt32() - Vector128.Create(aZero)) * (b.AsInt32() - Vector128.Create(bZero));
        var scaled = Vector128.Round(Vector128.ConvertToSingle(product) * Vector128.Create(multiplier));
        var clamped = Vector128.Min(Vector128.Max(scaled, Vector128.Create(low)), Vector128.Create(high));
        return Vector128.ConvertToInt32(clamped) + Vector128.Create(zero);
    }
}
