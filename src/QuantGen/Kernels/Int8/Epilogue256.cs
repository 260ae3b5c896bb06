using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// Requantize 16 int32 accumulators (two vectors) of one row and store them as bytes: the depthwise kernel's epilogue
/// (the GEMM and direct kernels use <see cref="PanelRequantizer"/>).
/// </summary>
internal static unsafe class Epilogue256
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Epilogue e, Vector256<int> acc0, Vector256<int> acc1, int rowSum, int c0, byte* y, int columns) =>
        Write(Bytes(e, acc0, acc1, rowSum, c0), y, columns);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Bytes(Epilogue e, Vector256<int> acc0, Vector256<int> acc1, int rowSum, int c0)
    {
        if (Wide)
        {
            var acc = Join(acc0, acc1) + Vector512.Load(e.Offsets + c0);
            if (e.WeightZeroPoints != null) acc -= Vector512.Load(e.WeightZeroPoints + c0) * Vector512.Create(rowSum);
            return Scale512(e, acc, c0);
        }
        Vector256<short> shorts = Vector256.Narrow(Requantize(e, acc0, rowSum, c0), Requantize(e, acc1, rowSum, c0 + 8));
        return Vector128.Narrow(shorts.GetLower().AsUInt16(), shorts.GetUpper().AsUInt16());
    }

    /// <summary>As <see cref="Store(Epilogue, Vector256{int}, Vector256{int}, int, int, byte*, int)"/> for kernels without a row-sum term (no weight zero points).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Epilogue e, Vector256<int> acc0, Vector256<int> acc1, int c0, byte* y, int columns)
    {
        if (Wide)
        {
            Write(Scale512(e, Join(acc0, acc1) + Vector512.Load(e.Offsets + c0), c0), y, columns);
            return;
        }
        Vector256<short> shorts = Vector256.Narrow(Scale(e, acc0 + Vector256.Load(e.Offsets + c0), c0), Scale(e, acc1 + Vector256.Load(e.Offsets + c0 + 8), c0 + 8));
        Write(Vector128.Narrow(shorts.GetLower().AsUInt16(), shorts.GetUpper().AsUInt16()), y, columns);
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

    /// <summary>Whether the 16 channels are requantized as one zmm (half the instructions), a JIT-time constant.</summary>
    private static bool Wide => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>
    /// <see cref="Scale"/> on 16 channels at once; <c>vpmovdb</c> truncates, which is exact on values clamped to
    /// [0, 255] (the clamp bounds are relative to the zero point, so <c>Low + z ≥ 0</c> and <c>High + z ≤ 255</c>).
    /// </summary>
    /// <summary>One <c>vinserti32x8</c>, in registers (<c>Vector512.Create(lower, upper)</c> goes through the stack and makes the JIT spill the GEMM's accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Join(Vector256<int> lower, Vector256<int> upper) => Avx512F.InsertVector256(lower.ToVector512Unsafe(), upper, 1);

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
