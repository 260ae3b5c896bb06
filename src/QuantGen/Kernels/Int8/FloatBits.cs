using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// Accumulators whose bits are a float. Started at <c>offset + 0x4B400000</c> (the bits of 1.5·2²³), an int32 sum
/// <c>v</c> with <c>|v| &lt; 2²²</c> leaves bits that read as the float <c>1.5·2²³ + v</c> exactly (the exponent stays,
/// the mantissa holds <c>2²² + v</c>), and subtracting 1.5·2²³ gives <c>(float)v</c> exactly (both in [2²³, 2²⁴)).
/// So the requantize's <c>vcvtdq2ps</c>, which Golden Cove issues on ports 0 and 1 beside every <c>vpdpbusd</c>, becomes
/// a <c>vsubps</c>, which it may also issue on port 5: MNIST MobileNetV2's expansions at batch 64 with K ≤ 32 took 0.94
/// of their time, those with K &gt; 32 0.98 (Sapphire Rapids, bench/RESULTS.md). The bytes are the reference's wherever
/// <see cref="Fits"/> holds.
/// </summary>
internal static class FloatBits
{
    /// <summary>The bits of 1.5·2²³, added to the offsets the accumulators start at.</summary>
    public const int Bias = 0x4B400000;

    /// <summary>1.5·2²³ as a float.</summary>
    public const float Value = 12582912f;

    /// <summary>The largest |sum| the bias keeps exact: below 2²².</summary>
    public const long Limit = (1 << 22) - 1;

    /// <summary>
    /// Whether every column's sum <c>offset[n] + Σₖ x·w[n, k]</c> stays within ±<see cref="Limit"/> for every row of
    /// bytes up to <paramref name="maxInput"/>: then no int32 sum wraps and each is exact under the bias.
    /// </summary>
    public static bool Fits(ReadOnlySpan<int> offsets, ReadOnlySpan<sbyte> weight, int outputs, int depth, byte maxInput)
    {
        for (int n = 0; n < outputs; n++)
        {
            long reach = 0;
            foreach (sbyte w in weight.Slice(n * depth, depth)) reach += Math.Abs((int)w);
            if (!Within(offsets[n], reach, maxInput)) return false;
        }
        return true;
    }

    /// <summary>
    /// <see cref="Fits"/> for a depthwise layer: every channel's sum over all <paramref name="taps"/> of
    /// <paramref name="weights"/> (tap-major, <paramref name="padded"/> a tap, channels in order) from its offset.
    /// </summary>
    public static bool FitsDepthwise(ReadOnlySpan<int> offsets, ReadOnlySpan<int> weights, int taps, int channels, int padded, byte maxInput)
    {
        for (int c = 0; c < channels; c++)
        {
            long reach = 0;
            for (int tap = 0; tap < taps; tap++) reach += Math.Abs(weights[tap * padded + c]);
            if (!Within(offsets[c], reach, maxInput)) return false;
        }
        return true;
    }

    /// <summary>Whether a sum from <paramref name="offset"/> over weights of absolute sum <paramref name="reach"/> stays within ±<see cref="Limit"/>.</summary>
    private static bool Within(int offset, long reach, byte maxInput) => Math.Abs((long)offset) + reach * maxInput <= Limit;

    /// <summary><c>(float)acc</c> from biased bits, or by conversion (<typeparamref name="TForm"/> decides, at JIT time).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Floats<TForm>(Vector256<int> acc)
        where TForm : struct, IRequantizeForm =>
        TForm.FromFloatBits ? acc.AsSingle() - Vector256.Create(Value) : Vector256.ConvertToSingle(acc);

    /// <inheritdoc cref="Floats{TForm}(Vector256{int})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Floats<TForm>(Vector512<int> acc)
        where TForm : struct, IRequantizeForm =>
        TForm.FromFloatBits ? acc.AsSingle() - Vector512.Create(Value) : Vector512.ConvertToSingle(acc);

    /// <inheritdoc cref="Floats{TForm}(Vector256{int})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Floats<TForm>(Vector128<int> acc)
        where TForm : struct, IRequantizeForm =>
        TForm.FromFloatBits ? acc.AsSingle() - Vector128.Create(Value) : Vector128.ConvertToSingle(acc);
}
