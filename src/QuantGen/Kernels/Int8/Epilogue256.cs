using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// Requantize one row's int32 accumulators on ymm and store them as bytes: 16 columns (two vectors) for the 16-column
/// kernels, 32 (four vectors) for <see cref="Gemm256Wide{TStep}"/>.
/// </summary>
/// <remarks>
/// The GEMM and direct kernels stay on ymm even where AVX-512 exists: a zmm instruction puts the core in its 512-bit
/// mode, in which port 1 takes no vector work, and the dot products of the next tile lose a third of their ports
/// (measured: the 4×32 GEMM ran up to twice as fast with this epilogue as with a zmm one). The int32 results are
/// already in [0, 255], so the saturating packs below never clip and only put bytes in order.
/// </remarks>
internal static unsafe class Epilogue256
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Epilogue e, Vector256<int> acc0, Vector256<int> acc1, int rowSum, int c0, byte* y, int columns) =>
        Write(Bytes(e, acc0, acc1, rowSum, c0), y, columns);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Bytes(Epilogue e, Vector256<int> acc0, Vector256<int> acc1, int rowSum, int c0) =>
        Requantized(e, Corrected(e, acc0, rowSum, c0), Corrected(e, acc1, rowSum, c0 + 8), c0);

    /// <summary>As <see cref="Bytes(Epilogue, Vector256{int}, Vector256{int}, int, int)"/> for kernels without a row-sum term (no weight zero points).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Bytes(Epilogue e, Vector256<int> acc0, Vector256<int> acc1, int c0) =>
        Requantized(e, acc0 + Vector256.Load(e.Offsets + c0), acc1 + Vector256.Load(e.Offsets + c0 + 8), c0);

    /// <summary>16 columns whose accumulators already hold every zero-point term.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Requantized(Epilogue e, Vector256<int> acc0, Vector256<int> acc1, int c0)
    {
        if (e.ClampsInBytes)
        {
            var shorts = Avx2.AddSaturate(Avx2.PackSignedSaturate(Rounded(e, acc0, c0), Rounded(e, acc1, c0 + 8)), Vector256.Create((short)e.ZeroPoint));
            return Clamp(e, Narrow(shorts));
        }
        return Narrow(Avx2.PackSignedSaturate(Scale(e, acc0, c0), Scale(e, acc1, c0 + 8)));
    }

    /// <summary>32 columns from four accumulators in memory (a tile leaves its K loop through the stack).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Bytes(Epilogue e, Vector256<int>* acc, int rowSum, int c0)
    {
        if (e.ClampsInBytes)
        {
            var zeroPoint = Vector256.Create((short)e.ZeroPoint);
            var low = Avx2.AddSaturate(Avx2.PackSignedSaturate(
                Rounded(e, Corrected(e, acc[0], rowSum, c0), c0), Rounded(e, Corrected(e, acc[1], rowSum, c0 + 8), c0 + 8)), zeroPoint);
            var high = Avx2.AddSaturate(Avx2.PackSignedSaturate(
                Rounded(e, Corrected(e, acc[2], rowSum, c0 + 16), c0 + 16), Rounded(e, Corrected(e, acc[3], rowSum, c0 + 24), c0 + 24)), zeroPoint);
            return Clamp(e, Narrow(low, high));
        }
        return Narrow(
            Avx2.PackSignedSaturate(Requantize(e, acc[0], rowSum, c0), Requantize(e, acc[1], rowSum, c0 + 8)),
            Avx2.PackSignedSaturate(Requantize(e, acc[2], rowSum, c0 + 16), Requantize(e, acc[3], rowSum, c0 + 24)));
    }

    /// <summary>
    /// As <see cref="Bytes(Epilogue, Vector256{int}, Vector256{int}, int)"/>, stored; used by the depthwise kernel,
    /// which requantizes 16 channels as one zmm where AVX-512 exists.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Epilogue e, Vector256<int> acc0, Vector256<int> acc1, int c0, byte* y, int columns)
    {
        if (Wide)
        {
            Write(Scale512(e, Join(acc0, acc1) + Vector512.Load(e.Offsets + c0), c0), y, columns);
            return;
        }
        Write(Bytes(e, acc0, acc1, c0), y, columns);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Vector128<byte> bytes, byte* y, int columns)
    {
        if (columns == 16) bytes.Store(y);
        else StorePartial(bytes, y, columns);
    }

    /// <summary>The first <paramref name="count"/> bytes; kept out of line so that <see cref="Store(Epilogue, Vector256{int}, Vector256{int}, int, int, byte*, int)"/> inlines.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void StorePartial<T>(T bytes, byte* y, int count)
        where T : unmanaged
    {
        new ReadOnlySpan<byte>(&bytes, count).CopyTo(new Span<byte>(y, count));
    }

    /// <summary>
    /// Eight channels from <paramref name="c0"/>: the reference requantize in vector form. <c>cvtdq2ps</c> rounds to
    /// nearest even as the reference's <c>(float)acc</c>; <c>cvtps2dq</c> rounds half to even under the default MXCSR,
    /// as <c>MathF.Round(…, ToEven)</c>; the values are clamped first, so nothing overflows and NaN cannot occur.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Requantize(Epilogue e, Vector256<int> acc, int rowSum, int c0) => Scale(e, Corrected(e, acc, rowSum, c0), c0);

    /// <summary>The accumulator plus the per-column offsets, less the row-sum term.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Corrected(Epilogue e, Vector256<int> acc, int rowSum, int c0)
    {
        acc += Vector256.Load(e.Offsets + c0);
        if (e.WeightZeroPoints != null) acc -= Vector256.Load(e.WeightZeroPoints + c0) * Vector256.Create(rowSum);
        return acc;
    }

    /// <summary><c>round(acc·M)</c>, half to even, unclamped: exact under <see cref="Epilogue.ClampsInBytes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Rounded(Epilogue e, Vector256<int> acc, int c0) =>
        Avx.ConvertToVector256Int32(Avx.ConvertToVector256Single(acc) * Vector256.Load(e.Multipliers + c0));

    /// <summary>
    /// The output range on bytes that saturating packs have already put in [0, 255]: <c>vpackssdw</c> then
    /// <c>vpaddsw</c> of the zero point then <c>vpackuswb</c> clamp <c>round(acc·M) + z</c> to [0, 255] exactly (a value
    /// that saturates an int16 is far outside [0, 255] and stays there), and the range lies inside it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Clamp(Epilogue e, Vector128<byte> bytes) =>
        Vector128.Min(Vector128.Max(bytes, Vector128.Create(e.Range.Min)), Vector128.Create(e.Range.Max));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Clamp(Epilogue e, Vector256<byte> bytes) =>
        Vector256.Min(Vector256.Max(bytes, Vector256.Create(e.Range.Min)), Vector256.Create(e.Range.Max));

    /// <summary>
    /// Sixteen int16 (two packed accumulators) as 16 unsigned bytes in column order: <c>vpackssdw</c> interleaved the
    /// accumulators by 128-bit lane, <c>vpermq</c> undoes it, <c>vpackuswb</c> saturates.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Narrow(Vector256<short> packed)
    {
        var shorts = Avx2.Permute4x64(packed.AsInt64(), 0b11_01_10_00).AsInt16();
        return Sse2.PackUnsignedSaturate(shorts.GetLower(), shorts.GetUpper());
    }

    /// <summary>As <see cref="Narrow(Vector256{short})"/> for 32 columns: one <c>vpackuswb</c>, then the dwords back in column order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Narrow(Vector256<short> low, Vector256<short> high) =>
        Avx2.PermuteVar8x32(Avx2.PackUnsignedSaturate(low, high).AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsByte();

    /// <summary>Whether the depthwise kernel's 16 channels are requantized as one zmm, a JIT-time constant.</summary>
    private static bool Wide => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>One <c>vinserti32x8</c>, in registers (<c>Vector512.Create(lower, upper)</c> goes through the stack).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Join(Vector256<int> lower, Vector256<int> upper) => Avx512F.InsertVector256(lower.ToVector512Unsafe(), upper, 1);

    /// <summary>
    /// <see cref="Scale"/> on 16 channels at once; <c>vpmovdb</c> truncates, which is exact on values clamped to
    /// [0, 255] (the clamp bounds are relative to the zero point, so <c>Low + z ≥ 0</c> and <c>High + z ≤ 255</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Scale512(Epilogue e, Vector512<int> acc, int c0)
    {
        var scaled = Avx512F.ConvertToVector512Single(acc) * Vector512.Load(e.Multipliers + c0);
        var clamped = Avx512F.Min(Avx512F.Max(scaled, Vector512.Create(e.Low)), Vector512.Create(e.High));
        return Avx512F.ConvertToVector128Byte(Avx512F.ConvertToVector512Int32(clamped) + Vector512.Create(e.ZeroPoint));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Scale(Epilogue e, Vector256<int> acc, int c0)
    {
        var scaled = Avx.ConvertToVector256Single(acc) * Vector256.Load(e.Multipliers + c0);
        var clamped = Avx.Min(Avx.Max(scaled, Vector256.Create(e.Low)), Vector256.Create(e.High));
        return Avx.ConvertToVector256Int32(clamped) + Vector256.Create(e.ZeroPoint);
    }
}
