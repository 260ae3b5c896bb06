using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The 512-bit GEMM (AVX-512BW): tiles of 4 rows × 32 columns, eight int32 accumulators, one activation broadcast
/// and two weight vectors a step.
/// </summary>
internal static unsafe class Gemm512<TStep>
    where TStep : struct, IDot512
{
    private const int TileRows = 4, Width = 32;

    public static void Run(QGemm g, Rows a, byte* y, int* rowSums)
    {
        // The accumulators leave the K loop through memory once per tile: left live into the epilogue, tiered code kept
        // them on the stack and reloaded them around every requantize step.
        Vector512<int>* sums = stackalloc Vector512<int>[2 * TileRows];
        int block = GemmBlocking.Rows(g.K, g.N, TileRows);
        // Row blocks outside, panels inside, as in Gemm256.
        for (int b0 = 0; b0 < a.Count; b0 += block)
        {
            for (int c0 = 0; c0 < g.N; c0 += Width)
            {
                Tiles(g, a, y, rowSums, c0, b0, Math.Min(a.Count, b0 + block), sums);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tiles(QGemm g, Rows a, byte* y, int* rowSums, int c0, int start, int end, Vector512<int>* sums)
    {
        int n = g.N, steps = g.StepCount, size = Steps.Size(TStep.Kind);
        Epilogue e = g.Epilogue;
        byte* panel = g.Panels + (long)c0 * steps * 4;
        int columns = Math.Min(Width, n - c0);
        for (int m0 = start; m0 < end; m0 += TileRows)
        {
            byte* a0 = a[m0], a1 = a[m0 + 1], a2 = a[m0 + 2], a3 = a[m0 + 3];
            Vector512<int> c00 = default, c01 = default, c10 = default, c11 = default;
            Vector512<int> c20 = default, c21 = default, c30 = default, c31 = default;
            byte* w = panel;
            for (int s = 0, k = 0; s < steps; s++, k += size, w += Width * 4)
            {
                var w0 = Vector512.Load((int*)w);
                var w1 = Vector512.Load((int*)w + 16);
                var x = Vector512.Create(TStep.Load(a0 + k));
                c00 = TStep.Dot(c00, x, w0);
                c01 = TStep.Dot(c01, x, w1);
                x = Vector512.Create(TStep.Load(a1 + k));
                c10 = TStep.Dot(c10, x, w0);
                c11 = TStep.Dot(c11, x, w1);
                x = Vector512.Create(TStep.Load(a2 + k));
                c20 = TStep.Dot(c20, x, w0);
                c21 = TStep.Dot(c21, x, w1);
                x = Vector512.Create(TStep.Load(a3 + k));
                c30 = TStep.Dot(c30, x, w0);
                c31 = TStep.Dot(c31, x, w1);
            }
            (sums[0], sums[1], sums[2], sums[3]) = (c00, c01, c10, c11);
            (sums[4], sums[5], sums[6], sums[7]) = (c20, c21, c30, c31);
            // All four rows requantized before any store: nothing may live across the out-of-line partial store.
            var y0 = Epilogue512.Bytes(e, sums[0], sums[1], a.Sum(rowSums, m0), c0);
            var y1 = Epilogue512.Bytes(e, sums[2], sums[3], a.Sum(rowSums, m0 + 1), c0);
            var y2 = Epilogue512.Bytes(e, sums[4], sums[5], a.Sum(rowSums, m0 + 2), c0);
            var y3 = Epilogue512.Bytes(e, sums[6], sums[7], a.Sum(rowSums, m0 + 3), c0);
            int rows = Math.Min(TileRows, a.Count - m0);
            byte* row = y + (long)m0 * n + c0;
            Epilogue512.Write(y0, row, columns);
            if (rows > 1) Epilogue512.Write(y1, row + n, columns);
            if (rows > 2) Epilogue512.Write(y2, row + 2 * n, columns);
            if (rows > 3) Epilogue512.Write(y3, row + 3 * n, columns);
        }
    }
}

/// <summary>The 512-bit requantize and store, shared by the GEMM and the depthwise kernel.</summary>
internal static unsafe class Epilogue512
{
    private const int Width = 32;

    /// <summary>Requantize 32 accumulators of one row (the rounding argument of <see cref="Epilogue256.Requantize"/>, on zmm).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Bytes(Epilogue e, Vector512<int> acc0, Vector512<int> acc1, int rowSum, int c0)
    {
        Vector512<short> shorts = Vector512.Narrow(Requantize(e, acc0, rowSum, c0), Requantize(e, acc1, rowSum, c0 + 16));
        return Vector256.Narrow(shorts.GetLower().AsUInt16(), shorts.GetUpper().AsUInt16());
    }

    /// <summary>As <see cref="Bytes(Epilogue, Vector512{int}, Vector512{int}, int, int)"/> for kernels without a row-sum term (no weight zero points).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Bytes(Epilogue e, Vector512<int> acc0, Vector512<int> acc1, int c0)
    {
        Vector512<short> shorts = Vector512.Narrow(Scale(e, acc0 + Vector512.Load(e.Offsets + c0), c0), Scale(e, acc1 + Vector512.Load(e.Offsets + c0 + 16), c0 + 16));
        return Vector256.Narrow(shorts.GetLower().AsUInt16(), shorts.GetUpper().AsUInt16());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Vector256<byte> bytes, byte* y, int columns)
    {
        if (columns == Width) bytes.Store(y);
        else Epilogue256.StorePartial(bytes, y, columns);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Requantize(Epilogue e, Vector512<int> acc, int rowSum, int c0)
    {
        acc += Vector512.Load(e.Offsets + c0);
        if (e.WeightZeroPoints != null) acc -= Vector512.Load(e.WeightZeroPoints + c0) * Vector512.Create(rowSum);
        return Scale(e, acc, c0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Scale(Epilogue e, Vector512<int> acc, int c0)
    {
        var scaled = Avx512F.ConvertToVector512Single(acc) * Vector512.Load(e.Multipliers + c0);
        var clamped = Avx512F.Min(Avx512F.Max(scaled, Vector512.Create(e.Low)), Vector512.Create(e.High));
        return Avx512F.ConvertToVector512Int32(clamped) + Vector512.Create(e.ZeroPoint);
    }
}
