namespace QuantGen.Kernels.Int8;

/// <summary>
/// What a GEMM's requantize has to handle, as a JIT-time constant: the driver compiles its loops once for each form,
/// so that the narrower ones carry no per-row tests of the epilogue's flags, nor the loads of them that the JIT repeats
/// on every row (the requantizer lives in memory, which the kernels' pointer stores may alias).
/// </summary>
internal interface IRequantizeForm
{
    /// <summary>
    /// No weight zero points (no row-sum term) and every multiplier at most ½ (<see cref="Epilogue.ClampsInBytes"/>):
    /// symmetric weights, as PyTorch's default qconfigs give, and PyTorch's multipliers.
    /// </summary>
    static abstract bool IsPlain { get; }

    /// <summary>
    /// Plain, and the output range is the whole byte, [0, 255] (no fused activation, or a ReLU6 whose bound lies at or
    /// above the top of the output's scale): the saturating packs and narrowings are the clamp, with no min/max after.
    /// </summary>
    static abstract bool FullRange { get; }

    /// <summary>
    /// Whether the output zero point must be added: not where it is 0 (full range, as a ReLU's or ReLU6's output
    /// calibrated from 0 gives, which every expansion of MobileNetV2 has).
    /// </summary>
    static abstract bool AddsZeroPoint { get; }

    /// <summary>
    /// Whether the accumulators start at <see cref="Epilogue.StartOffsets"/> biased by <see cref="FloatBits.Bias"/>, so
    /// that their bits are the float <c>2²³ + acc</c>, which the requantize scales without a conversion (see <see cref="FloatBits"/>).
    /// </summary>
    static virtual bool FromFloatBits => false;
}

/// <summary>The plain requantize (<see cref="IRequantizeForm.IsPlain"/>).</summary>
internal readonly unsafe struct PlainRequantize : IRequantizeForm
{
    public static bool IsPlain => true;

    public static bool FullRange => false;

    public static bool AddsZeroPoint => true;

    /// <summary>Whether <paramref name="e"/> is plain, so that a kernel may compile its requantize for this form.</summary>
    public static bool Fits(Epilogue e) => e.WeightZeroPoints == null && e.ClampsInBytes;
}

/// <summary>The plain requantize onto the whole byte (<see cref="IRequantizeForm.FullRange"/>).</summary>
internal readonly struct FullRangeRequantize : IRequantizeForm
{
    public static bool IsPlain => true;

    public static bool FullRange => true;

    public static bool AddsZeroPoint => true;

    /// <summary>Whether <paramref name="e"/> is plain and its range all of [0, 255].</summary>
    public static bool Fits(Epilogue e) => PlainRequantize.Fits(e) && e.FullRange;
}

/// <summary>The plain requantize onto the whole byte from a zero point of 0 (<see cref="IRequantizeForm.AddsZeroPoint"/>).</summary>
internal readonly struct ZeroBasedRequantize : IRequantizeForm
{
    public static bool IsPlain => true;

    public static bool FullRange => true;

    public static bool AddsZeroPoint => false;

    /// <summary>Whether <paramref name="e"/> is plain and zero-based (<see cref="Epilogue.ZeroBased"/>).</summary>
    public static bool Fits(Epilogue e) => PlainRequantize.Fits(e) && e.ZeroBased;
}

/// <summary><see cref="ZeroBasedRequantize"/> with the accumulators' bits a float (<see cref="IRequantizeForm.FromFloatBits"/>).</summary>
internal readonly struct ZeroBasedFloatBitsRequantize : IRequantizeForm
{
    public static bool IsPlain => true;

    public static bool FullRange => true;

    public static bool AddsZeroPoint => false;

    public static bool FromFloatBits => true;

    /// <summary>Whether <paramref name="e"/> is zero-based and its accumulators start as float bits (<see cref="Epilogue.FloatStart"/>).</summary>
    public static bool Fits(Epilogue e) => ZeroBasedRequantize.Fits(e) && e.FloatStart;
}

/// <summary>Any requantize: the epilogue's flags are read at run time.</summary>
internal readonly struct AnyRequantize : IRequantizeForm
{
    public static bool IsPlain => false;

    public static bool FullRange => false;

    public static bool AddsZeroPoint => true;
}

/// <summary>The <see cref="IRequantizeForm"/> an epilogue fits, the narrowest one: what the kernels dispatch on.</summary>
internal enum RequantizeForm
{
    Any,
    Plain,
    FullRange,
    ZeroBased,
    ZeroBasedFloatBits,
}

internal static class RequantizeForms
{
    /// <summary>
    /// For the dispatch switches' last arm: every form has its own case there, <see cref="RequantizeForm.Any"/> included,
    /// so a form a switch does not name fails loudly instead of falling into <see cref="AnyRequantize"/>, which ignores
    /// a biased start (<see cref="Epilogue.FloatStart"/>) and would give wrong bytes.
    /// </summary>
    public static System.Diagnostics.UnreachableException Unhandled(RequantizeForm form) =>
        new($"No kernel is compiled for the requantize form {form}.");

    public static RequantizeForm Of(Epilogue e) =>
        ZeroBasedFloatBitsRequantize.Fits(e) ? RequantizeForm.ZeroBasedFloatBits
        : ZeroBasedRequantize.Fits(e) ? RequantizeForm.ZeroBased
        : FullRangeRequantize.Fits(e) ? RequantizeForm.FullRange
        : PlainRequantize.Fits(e) ? RequantizeForm.Plain
        : RequantizeForm.Any;
}
