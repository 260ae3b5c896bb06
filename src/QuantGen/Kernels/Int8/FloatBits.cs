using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// Accumulators whose bits are a float, for the zero-based requantize forms. Started at <c>offset + 0x4B000000</c> (the
/// bits of 2²³), an int32 sum <c>v</c> in [0, 2²³) leaves bits that read as the float <c>2²³ + v</c> exactly (the
/// exponent stays, the mantissa holds <c>v</c>). A negative sum, down to <c>−0x4B000000</c>, leaves the bits of a float
/// in [0, 2²³): less than the bias, so whatever the requantize makes of it is at most zero, which a zero-based form
/// clamps to 0, as it does the reference's negative values (the multipliers are positive: every scale is).
/// <para>
/// Where the requantize goes through <see cref="PanelRequantizer"/> (the GEMMs) it takes <c>acc·M</c> in one fused
/// multiply-add, <c>bits·M + A</c> with <c>A = −2²³·M</c> (<see cref="Product{TForm}(Vector256{int}, float*, int)"/>): 2²³·M is exact,
/// a power of two times a float, so the one rounding of <c>(2²³ + v)·M − 2²³·M</c> gives the float <c>v·M</c> as the
/// reference rounds <c>(float)v · M</c>. One <c>vfmadd</c> then takes the place of the requantize's <c>vcvtdq2ps</c> and
/// <c>vmulps</c>, both on the ports of every <c>vpdpbusd</c> (Golden Cove). The depthwise kernels subtract the bias
/// instead (<see cref="Floats{TForm}(Vector256{int})"/>: a <c>vsubps</c>, which port 5 may take), then multiply.
/// </para>
/// The bytes are the reference's wherever <see cref="Fits"/> holds.
/// </summary>
internal static unsafe class FloatBits
{
    /// <summary>The bits of 2²³, added to the offsets the accumulators start at.</summary>
    public const int Bias = 0x4B000000;

    /// <summary>2²³ as a float.</summary>
    public const float Value = 8388608f;

    /// <summary>The largest sum the bias keeps exact: below 2²³.</summary>
    public const long Limit = (1 << 23) - 1;

    /// <summary>Where accumulators start as float bits: each of <paramref name="offsets"/> plus <see cref="Bias"/>, wrapping as the sums do.</summary>
    public static PinnedBuffer<int> Biased(ReadOnlySpan<int> offsets)
    {
        var biased = new PinnedBuffer<int>(offsets.Length);
        for (int i = 0; i < offsets.Length; i++) biased.Span[i] = unchecked(offsets[i] + Bias);
        return biased;
    }

    /// <summary>
    /// Floats a block of <see cref="ScaleBlock"/> columns takes in <see cref="Epilogue.FloatScales"/>: their multipliers,
    /// then their addends, so that one pointer serves the multiply-add both.
    /// </summary>
    public const int ScaleBlock = 16;

    /// <summary>The fused multiply-add's addend for a multiplier: <c>−2²³·M</c>, exact.</summary>
    public static float Addend(float multiplier) => -Value * multiplier;

    /// <summary>Where column <paramref name="column"/>'s multiplier lies in <see cref="Epilogue.FloatScales"/>; its addend lies <see cref="ScaleBlock"/> on.</summary>
    public static int ScaleIndex(int column) => column / ScaleBlock * 2 * ScaleBlock + column % ScaleBlock;

    /// <summary>
    /// Whether every column's sum <c>offset[n] + Σₖ x·w[n, k]</c>, for every row of bytes up to <paramref name="maxInput"/>,
    /// lies in [−<see cref="Bias"/>, <see cref="Limit"/>]: then no sum wraps, nor do its biased bits, and each
    /// non-negative one is exact under the bias.
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

    /// <summary>Whether sums from <paramref name="offset"/> over weights of absolute sum <paramref name="reach"/> stay within [−<see cref="Bias"/>, <see cref="Limit"/>].</summary>
    private static bool Within(int offset, long reach, byte maxInput) => offset + reach * maxInput <= Limit && offset - reach * maxInput >= -Bias;

    /// <summary><c>(float)acc</c> from biased bits, or by conversion (<typeparamref name="TForm"/> decides, at JIT time): the depthwise kernels' form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Floats<TForm>(Vector256<int> acc)
        where TForm : struct, IRequantizeForm =>
        TForm.FromFloatBits ? acc.AsSingle() - Vector256.Create(Value) : Vector256.ConvertToSingle(acc);

    /// <inheritdoc cref="Floats{TForm}(Vector256{int})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Floats<TForm>(Vector512<int> acc)
        where TForm : struct, IRequantizeForm =>
        TForm.FromFloatBits ? acc.AsSingle() - Vector512.Create(Value) : Vector512.ConvertToSingle(acc);

    /// <summary>
    /// <c>acc·M</c> as floats for the eight columns from <paramref name="column"/> of a panel whose multipliers start at
    /// <paramref name="multipliers"/>: from biased bits in one multiply-add, the panel's block of
    /// <see cref="Epilogue.FloatScales"/> holding the multipliers and the addends, or converted and multiplied
    /// (<typeparamref name="TForm"/> decides, at JIT time). One method for both, so that the requantizes inline no
    /// deeper than the plain one: the JIT's inlining budget for a GEMM's blocks is nearly spent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Product<TForm>(Vector256<int> acc, float* multipliers, int column)
        where TForm : struct, IRequantizeForm
    {
        if (!TForm.FromFloatBits) return Vector256.ConvertToSingle(acc) * Vector256.Load(multipliers + column);
        float* scales = multipliers + column / ScaleBlock * 2 * ScaleBlock + column % ScaleBlock;   // ScaleIndex, written out: as a call it outran the budget
        return Vector256.FusedMultiplyAdd(acc.AsSingle(), Vector256.Load(scales), Vector256.Load(scales + ScaleBlock));
    }

    /// <inheritdoc cref="Product{TForm}(Vector256{int}, float*, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Product<TForm>(Vector512<int> acc, float* multipliers, int column)
        where TForm : struct, IRequantizeForm
    {
        if (!TForm.FromFloatBits) return Vector512.ConvertToSingle(acc) * Vector512.Load(multipliers + column);
        float* scales = multipliers + column / ScaleBlock * 2 * ScaleBlock + column % ScaleBlock;   // ScaleIndex, written out: as a call it outran the budget
        return Vector512.FusedMultiplyAdd(acc.AsSingle(), Vector512.Load(scales), Vector512.Load(scales + ScaleBlock));
    }

    /// <inheritdoc cref="Product{TForm}(Vector256{int}, float*, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Product<TForm>(Vector128<int> acc, float* multipliers, int column)
        where TForm : struct, IRequantizeForm
    {
        if (!TForm.FromFloatBits) return Vector128.ConvertToSingle(acc) * Vector128.Load(multipliers + column);
        float* scales = multipliers + column / ScaleBlock * 2 * ScaleBlock + column % ScaleBlock;   // ScaleIndex, written out: as a call it outran the budget
        return Vector128.FusedMultiplyAdd(acc.AsSingle(), Vector128.Load(scales), Vector128.Load(scales + ScaleBlock));
    }
}
