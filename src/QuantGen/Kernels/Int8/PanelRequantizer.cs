using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The requantize of one panel's columns for the GEMM and direct kernels, with the panel's constants read once: the
/// kernels store through raw pointers, which the JIT must assume may alias any field, so reading
/// <see cref="Epilogue"/>'s fields per row would reload them (three dependent loads per vector) on every row. The
/// kernels start their accumulators at <see cref="Offsets"/>, so no add is left for the epilogue either.
/// </summary>
/// <remarks>
/// The ymm tiles' requantize stays on ymm even where AVX-512 exists, but for GEMMs of few K steps
/// (<see cref="YmmTile4x32ZmmEpilogue{TStep}"/>): a zmm instruction puts the core in its 512-bit mode, and a tile that
/// leaves it during a long K loop and enters it again at its requantize pays for both (measured on Sapphire Rapids:
/// the 224×224 expansions with K = 64 took 1.7× their time with a zmm requantize). Saturating packs put the bytes in order.
/// </remarks>
internal readonly unsafe struct PanelRequantizer
{
    // The multipliers from c0 on, or where the accumulators start as float bits, the block of Epilogue.FloatScales
    // that starts at c0: the multipliers and the multiply-add's addends at fixed distances from one pointer.
    private readonly float* multipliers;
    private readonly int* weightZeroPoints;
    private readonly float low, high;
    private readonly short zeroPoint;
    private readonly short* clampWords;
    // Broadcast once a panel, where broadcasting the scalars in every row's requantize took three broadcasts a row (a
    // fifth of the zmm tile's requantize). The JIT still decides per build: in the zmm GEMM it has kept them in
    // registers, and, short of registers, rebuilt them from the scalars (bench/RESULTS.md).
    private readonly Vector256<short> zeroWords;
    private readonly Vector256<byte> minBytes, maxBytes;
    private readonly bool clampsInBytes;

    /// <summary>The constants of columns <paramref name="c0"/>… (whole panels; the epilogue's arrays are padded).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]   // else the struct lives in memory and every field is a load
    public PanelRequantizer(Epilogue e, int c0)
    {
        Offsets = e.StartOffsets + c0;
        Debug.Assert(!e.FloatStart || c0 % FloatBits.ScaleBlock == 0, "A float-bits panel starts on a block of FloatScales.");
        multipliers = e.FloatStart ? e.FloatScales + FloatBits.ScaleIndex(c0) : e.Multipliers + c0;
        int* zeroPoints = e.WeightZeroPoints;
        weightZeroPoints = zeroPoints == null ? null : zeroPoints + c0;
        low = e.Low;
        high = e.High;
        zeroPoint = (short)e.ZeroPoint;
        clampWords = e.ClampWords;
        zeroWords = Vector256.Create(zeroPoint);
        minBytes = Vector256.Create(e.Range.Min);
        maxBytes = Vector256.Create(e.Range.Max);
        clampsInBytes = e.ClampsInBytes;
    }

    /// <summary>Where the accumulators start: the bias and the zero-point terms that do not depend on the row.</summary>
    public int* Offsets { get; }

    /// <summary>
    /// 16 columns: two accumulators, started at <see cref="Offsets"/>, of a row whose sum is <paramref name="rowSum"/>,
    /// with the cases <typeparamref name="TForm"/> rules out compiled away. <typeparamref name="TForm"/> must be the
    /// epilogue's own form (<see cref="RequantizeForms.Of"/>): only it says whether the accumulators start as float bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<byte> Bytes<TForm>(Vector256<int> acc0, Vector256<int> acc1, int rowSum)
        where TForm : struct, IRequantizeForm
    {
        var shorts = Shorts<TForm>(Scaled<TForm>(acc0, rowSum, 0), Scaled<TForm>(acc1, rowSum, 8), zeroWords);
        shorts = Avx2.Permute4x64(shorts.AsInt64(), 0b11_01_10_00).AsInt16();   // vpackssdw interleaved the 128-bit lanes
        var bytes = Sse2.PackUnsignedSaturate(shorts.GetLower(), shorts.GetUpper());
        return ClampsBytes<TForm>() ? Vector128.Min(Vector128.Max(bytes, minBytes.GetLower()), maxBytes.GetLower()) : bytes;
    }

    /// <summary>32 columns: four accumulators in memory (a tile leaves its K loop through the stack); <typeparamref name="TForm"/> as above.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<byte> Bytes<TForm>(Vector256<int>* acc, int rowSum)
        where TForm : struct, IRequantizeForm
    {
        var zero = zeroWords;
        return InOrder<TForm>(
            Shorts<TForm>(Scaled<TForm>(acc[0], rowSum, 0), Scaled<TForm>(acc[1], rowSum, 8), zero),
            Shorts<TForm>(Scaled<TForm>(acc[2], rowSum, 16), Scaled<TForm>(acc[3], rowSum, 24), zero));
    }

    /// <summary>
    /// 24 columns: three accumulators in memory (<see cref="YmmTile4x24{TStep}"/>), left in the packs' order: bytes 0–11
    /// of each 128-bit lane hold the lane's four columns of each accumulator (the third's repeat in bytes 12–15), which
    /// the 4×24 panels' column order (<see cref="YmmTile4x24{TStep}.SlotOfColumn"/>) makes columns 0–11 and 12–23.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<byte> Bytes24InLanes<TForm>(Vector256<int>* acc, int rowSum)
        where TForm : struct, IRequantizeForm
    {
        var zero = zeroWords;
        var third = Scaled<TForm>(acc[2], rowSum, 16);
        var bytes = Avx2.PackUnsignedSaturate(Shorts<TForm>(Scaled<TForm>(acc[0], rowSum, 0), Scaled<TForm>(acc[1], rowSum, 8), zero), Shorts<TForm>(third, third, zero));
        return InRange<TForm>(bytes);
    }

    /// <summary>
    /// Two <see cref="Scaled{TForm}(Vector256{int}, int, int)"/> vectors (sixteen columns) as int16, the zero point added where
    /// <typeparamref name="TForm"/> has one: per 128-bit lane,
    /// four columns of each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Shorts<TForm>(Vector256<int> scaled0, Vector256<int> scaled1, Vector256<short> zero)
        where TForm : struct, IRequantizeForm
    {
        var shorts = Avx2.PackSignedSaturate(scaled0, scaled1);
        return TForm.AddsZeroPoint ? Avx2.AddSaturate(shorts, zero) : shorts;
    }

    /// <summary>Two <see cref="Shorts{TForm}"/> as 32 bytes in column order, clamped to the output range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<byte> InOrder<TForm>(Vector256<short> low16, Vector256<short> high16)
        where TForm : struct, IRequantizeForm
    {
        // Each 128-bit lane holds four columns of each accumulator: put the dwords back in column order.
        var bytes = Avx2.PermuteVar8x32(Avx2.PackUnsignedSaturate(low16, high16).AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsByte();
        return InRange<TForm>(bytes);
    }

    /// <summary>Packed bytes clamped to the output range, where the clamp was left to the bytes (see <see cref="Scaled{TForm}(Vector256{int}, int, int)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<byte> InRange<TForm>(Vector256<byte> bytes)
        where TForm : struct, IRequantizeForm =>
        ClampsBytes<TForm>() ? Vector256.Min(Vector256.Max(bytes, minBytes), maxBytes) : bytes;

    /// <summary>
    /// Whether packed bytes still need the byte max/min: not onto the whole byte, where the unsigned pack saturates to
    /// [0, 255] already, nor where the values were clamped in float before the packs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool ClampsBytes<TForm>()
        where TForm : struct, IRequantizeForm => !TForm.FullRange && (TForm.IsPlain || clampsInBytes);

    /// <summary>
    /// 32 columns on zmm (the AVX-512BW tile, whose dot products are on zmm already), in the panel order of
    /// <see cref="ZmmTile4x32{TStep}.SlotOfColumn"/>: a signed pack leaves the words in column order, so one narrowing
    /// <c>vpmovuswb</c> gives the bytes, where packing again to bytes left them across the 128-bit lanes for a
    /// <c>vpermd</c> to gather.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<byte> Bytes<TForm>(Vector512<int> acc0, Vector512<int> acc1, int rowSum)
        where TForm : struct, IRequantizeForm =>
        Avx512BW.ConvertToVector256ByteWithSaturation(Words<TForm>(acc0, acc1, rowSum, unsignedNarrowing: true).AsUInt16());

    /// <summary>
    /// 32 columns in column order, four ymm accumulators in memory (<see cref="YmmTile4x32ZmmEpilogue{TStep}"/>),
    /// requantized as two zmm: half the instructions of <see cref="Bytes{TForm}(Vector256{int}*, int)"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<byte> BytesOnZmm<TForm>(int* sums, int rowSum)
        where TForm : struct, IRequantizeForm
    {
        var words = Words<TForm>(Vector512.Load(sums), Vector512.Load(sums + 16), rowSum, unsignedNarrowing: false);
        // Each 128-bit lane holds four columns of each half; packed with itself, a lane's first two dwords hold its eight
        // bytes, which one vpermd puts in column order.
        var bytes = Avx512BW.PackUnsignedSaturate(words, words).AsInt32();
        return Avx512F.PermuteVar16x32(bytes, Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0)).GetLower().AsByte();
    }

    /// <summary>
    /// <see cref="BytesOnZmm{TForm}"/> for two rows (64 sums, the second row's after the first's): the first row's 32 bytes
    /// in the lower half, the second's in the upper, one pack and one permute for both.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<byte> TwoRowsOnZmm<TForm>(int* sums, int rowSum0, int rowSum1)
        where TForm : struct, IRequantizeForm
    {
        var words0 = Words<TForm>(Vector512.Load(sums), Vector512.Load(sums + 16), rowSum0, unsignedNarrowing: false);
        var words1 = Words<TForm>(Vector512.Load(sums + 32), Vector512.Load(sums + 48), rowSum1, unsignedNarrowing: false);
        // Each 128-bit lane holds four columns of each half of the first row, then of the second's: one vpermd gathers each row's in order.
        var bytes = Avx512BW.PackUnsignedSaturate(words0, words1).AsInt32();
        return Avx512F.PermuteVar16x32(bytes, Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15)).AsByte();
    }

    /// <summary>
    /// Sixteen columns of each accumulator as int16, clamped, the zero point added: per 128-bit lane, four columns of
    /// <paramref name="acc0"/>'s then four of <paramref name="acc1"/>'s. With the clamp left to the words the pack and the
    /// zero point's add saturate, which changes no clamped value; otherwise the scaled values are clamped in float first
    /// and fit a byte with the zero point. Onto the whole byte the narrowing's saturation is the upper clamp, and the
    /// lower one too for a signed narrowing; an <paramref name="unsignedNarrowing"/> reads negative words as large, so one
    /// <c>vpmaxsw</c> with zero stays. The full clamp (two memory operands) took the 224×224 fixture's small-K expansions
    /// 3–7% longer than that one max with a zero register (Zen 4, bench/RESULTS.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<short> Words<TForm>(Vector512<int> acc0, Vector512<int> acc1, int rowSum, bool unsignedNarrowing)
        where TForm : struct, IRequantizeForm
    {
        if (!TForm.IsPlain && !clampsInBytes) return Avx512BW.PackSignedSaturate(Clamped<TForm>(acc0, rowSum, 0), Clamped<TForm>(acc1, rowSum, 16));
        const int Count = Epilogue.ClampWordCount;
        var words = Avx512BW.PackSignedSaturate(Scaled<TForm>(acc0, rowSum, 0), Scaled<TForm>(acc1, rowSum, 16));
        if (TForm.AddsZeroPoint) words = Avx512BW.AddSaturate(words, Vector512.Load(clampWords));
        if (TForm.FullRange) return unsignedNarrowing ? Avx512BW.Max(words, Vector512<short>.Zero) : words;
        return Avx512BW.Min(Avx512BW.Max(words, Vector512.Load(clampWords + Count)), Vector512.Load(clampWords + 2 * Count));
    }

    /// <summary>Sixteen columns as int32 <c>round(acc·M)</c>, unclamped (see <see cref="Scaled{TForm}(Vector256{int}, int, int)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> Scaled<TForm>(Vector512<int> acc, int rowSum, int column)
        where TForm : struct, IRequantizeForm
    {
        if (!TForm.IsPlain && weightZeroPoints != null) acc -= Vector512.Load(weightZeroPoints + column) * Vector512.Create(rowSum);
        return Avx512F.ConvertToVector512Int32(FloatBits.Product<TForm>(acc, multipliers, column));
    }

    /// <summary>
    /// 8 columns, portably (the <see cref="Vector128{T}"/> tile), clamped in float. <see cref="Vector128.Round(Vector128{float})"/>
    /// rounds half to even (as <c>MathF.Round</c>'s default) to an integral float, which then converts to int32 exactly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Bytes<TForm>(Vector128<int> acc0, Vector128<int> acc1, int rowSum)
        where TForm : struct, IRequantizeForm
    {
        Vector128<short> shorts = Vector128.Narrow(Clamped<TForm>(acc0, rowSum, 0), Clamped<TForm>(acc1, rowSum, 4));
        return Vector128.Narrow(shorts.AsUInt16(), shorts.AsUInt16()).AsUInt64().ToScalar();
    }

    /// <summary>
    /// Eight columns from <paramref name="column"/> as int32 <c>round(acc·M)</c>, for the saturating pack to int16 after
    /// which the callers add the zero point (one add for sixteen columns; saturating, so the sum's clamp to [0, 255] is
    /// that of the unsaturated sum). With <see cref="Epilogue.ClampsInBytes"/> the clamp is left to the packs and the
    /// byte min/max; otherwise the scaled value is clamped in float first, as <see cref="Epilogue256.Requantize"/> does
    /// (the values then fit int16, and with the zero point [0, 255], so the packs do nothing). Either way the bytes are
    /// the reference's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Scaled<TForm>(Vector256<int> acc, int rowSum, int column)
        where TForm : struct, IRequantizeForm
    {
        if (!TForm.IsPlain && weightZeroPoints != null) acc -= Vector256.Load(weightZeroPoints + column) * Vector256.Create(rowSum);
        var scaled = FloatBits.Product<TForm>(acc, multipliers, column);
        if (!TForm.IsPlain && !clampsInBytes) scaled = Avx.Min(Avx.Max(scaled, Vector256.Create(low)), Vector256.Create(high));
        return Avx.ConvertToVector256Int32(scaled);
    }

    /// <summary>
    /// Sixteen columns as int32 in [min, max]: clamped in float before rounding, so narrowing them (which truncates) is
    /// exact. Max/Min differ from <c>Math.Clamp</c> only for NaN and the sign of zero, which cannot change the integer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> Clamped<TForm>(Vector512<int> acc, int rowSum, int column)
        where TForm : struct, IRequantizeForm
    {
        if (!TForm.IsPlain && weightZeroPoints != null) acc -= Vector512.Load(weightZeroPoints + column) * Vector512.Create(rowSum);
        var scaled = FloatBits.Product<TForm>(acc, multipliers, column);
        var clamped = Avx512F.Min(Avx512F.Max(scaled, Vector512.Create(low)), Vector512.Create(high));
        return Avx512F.ConvertToVector512Int32(clamped) + Vector512.Create((int)zeroPoint);
    }

    /// <summary>Four columns as int32 in [min, max], portably (see <see cref="Clamped{TForm}(Vector512{int}, int, int)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<int> Clamped<TForm>(Vector128<int> acc, int rowSum, int column)
        where TForm : struct, IRequantizeForm
    {
        if (!TForm.IsPlain && weightZeroPoints != null) acc -= Vector128.Load(weightZeroPoints + column) * Vector128.Create(rowSum);
        var scaled = FloatBits.Product<TForm>(acc, multipliers, column);
        var clamped = Vector128.Min(Vector128.Max(scaled, Vector128.Create(low)), Vector128.Create(high));
        return Vector128.ConvertToInt32(Vector128.Round(clamped)) + Vector128.Create((int)zeroPoint);
    }
}
