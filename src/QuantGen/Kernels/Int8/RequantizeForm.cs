namespace QuantGen.Kernels.Int8;

/// <summary>
/// What a GEMM's requantize has to handle, as a JIT-time constant: the driver compiles its loops once for the plain
/// case and once for any, so that the plain one carries no per-row tests of the epilogue's flags, nor the loads of
/// them that the JIT repeats on every row (the requantizer lives in memory, which the kernels' pointer stores may alias).
/// </summary>
internal interface IRequantizeForm
{
    /// <summary>
    /// No weight zero points (no row-sum term) and every multiplier at most ½ (<see cref="Epilogue.ClampsInBytes"/>):
    /// symmetric weights, as PyTorch's default qconfigs give, and PyTorch's multipliers.
    /// </summary>
    static abstract bool IsPlain { get; }
}

/// <summary>The plain requantize (<see cref="IRequantizeForm.IsPlain"/>).</summary>
internal readonly unsafe struct PlainRequantize : IRequantizeForm
{
    public static bool IsPlain => true;

    /// <summary>Whether <paramref name="e"/> is plain, so that a kernel may compile its requantize for this form.</summary>
    public static bool Fits(Epilogue e) => e.WeightZeroPoints == null && e.ClampsInBytes;
}

/// <summary>Any requantize: the epilogue's flags are read at run time.</summary>
internal readonly struct AnyRequantize : IRequantizeForm
{
    public static bool IsPlain => false;
}
