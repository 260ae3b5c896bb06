using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>Float → quint8 as <see cref="Quantize.ToUInt8"/>, 16 values a step on AVX2 (<see cref="QuantizeSixteen"/>).</summary>
internal static class Int8Quantize
{
    [MethodImpl(HotLoop.Compiled)]
    public static unsafe void Activations(ReadOnlySpan<float> values, ActivationQParams q, Span<byte> output)
    {
        q.Validate(nameof(q));
        ReferenceChecks.SameLength(values.Length, output.Length, "Quantize.Activations");
        int i = 0;
        if (QuantizeSixteen.IsSupported)
        {
            var sixteen = new QuantizeSixteen(q);
            fixed (float* x = values)
            fixed (byte* y = output)
            {
                for (; i + 16 <= values.Length; i += 16) sixteen.Bytes(x + i).Store(y + i);
            }
        }
        for (; i < values.Length; i++) output[i] = Quantize.ToUInt8(values[i], q);
    }
}

/// <summary>
/// Sixteen floats → quint8 bytes, as <see cref="Quantize.ToUInt8"/>, with the quantization's constants broadcast once.
/// </summary>
/// <remarks>
/// The scaled value is clamped in float to <c>[qmin − z, qmax − z]</c> with <c>vmaxps(v, lo)</c> first, which returns
/// <c>lo</c> for NaN (qmin, as the reference), and <c>cvtps2dq</c> then rounds half to even under the default MXCSR,
/// as <c>MathF.Round</c>: the bounds are integers, so clamping before rounding gives the reference's clamp of the
/// rounded value, and no <c>vroundps</c> (two uops on Intel) is needed.
/// </remarks>
internal readonly unsafe struct QuantizeSixteen
{
    private readonly Vector256<float> inverse, low, high;
    private readonly Vector256<int> zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public QuantizeSixteen(ActivationQParams q)
    {
        inverse = Vector256.Create(1f / q.Scale);
        low = Vector256.Create((float)(byte.MinValue - q.ZeroPoint));
        high = Vector256.Create((float)(byte.MaxValue - q.ZeroPoint));
        zero = Vector256.Create(q.ZeroPoint);
    }

    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>The bytes of <paramref name="x"/>[0..16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<byte> Bytes(float* x)
    {
        var shorts = Vector256.Narrow(Step(Vector256.Load(x)) + zero, Step(Vector256.Load(x + 8)) + zero);   // in [0, 255]
        return Vector128.Narrow(shorts.GetLower().AsUInt16(), shorts.GetUpper().AsUInt16());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Step(Vector256<float> x) =>
        Avx.ConvertToVector256Int32(Avx.Min(Avx.Max(x * inverse, low), high));
}
