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
        Pack(Requantize(e, acc0, rowSum, c0), Requantize(e, acc1, rowSum, c0 + 8));

    /// <summary>As <see cref="Bytes(Epilogue, Vector256{int}, Vector256{int}, int, int)"/> for kernels without a row-sum term (no weight zero points).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Bytes(Epilogue e, Vector256<int> acc0, Vector256<int> acc1, int c0) =>
        Pack(Scale(e, acc0 + Vector256.Load(e.Offsets + c0), c0), Scale(e, acc1 + Vector256.Load(e.Offsets + c0 + 8), c0 + 8));

    /// <summary>32 columns from four accumulators in memory (a tile leaves its K loop through the stack).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Bytes(Epilogue e, Vector256<int>* acc, int rowSum, int c0)
    {
        var low = Avx2.PackSignedSaturate(Requantize(e, acc[0], rowSum, c0), Requantize(e, acc[1], rowSum, c0 + 8));
        var high = Avx2.PackSignedSaturate(Requantize(e, acc[2], rowSum, c0 + 16), Requantize(e, acc[3], rowSum, c0 + 24));
        // Each 128-bit lane holds four columns of each accumulator: put the dwords back in column order.
        return Avx2.PermuteVar8x32(Avx2.PackUnsignedSaturate(low, high).AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsByte();
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
    public static Vector256<int> Requantize(Epilogue e, Vector256<int> acc, int rowSum, int c0)
    {
        acc += Vector256.Load(e.Offsets + c0);
        if (e.WeightZeroPoints != null) acc -= Vector256.Load(e.WeightZeroPoints + c0) * Vector256.Create(rowSum);
        return Scale(e, acc, c0);
    }

    /// <summary>Two rows of eight int32 in [0, 255] as 16 bytes in order: <c>vpackssdw</c> interleaves 128-bit lanes, <c>vpermq</c> undoes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Pack(Vector256<int> low, Vector256<int> high)
    {
        var shorts = Avx2.Permute4x64(Avx2.PackSignedSaturate(low, high).AsInt64(), 0b11_01_10_00).AsInt16();
        return Sse2.PackUnsignedSaturate(shorts.GetLower(), shorts.GetUpper());
    }

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
