using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The portable GEMM on <see cref="Vector128{T}"/> (SSE4.1, NEON, …): tiles of 4 rows × 8 columns, one int32
/// weight a lane, multiplied and added with wraparound.
/// </summary>
internal static unsafe class Gemm128<TStep>
    where TStep : struct, IDot128
{
    private const int TileRows = 4, Width = 8;

    public static void Run(QGemm g, Rows a, byte* y, int* rowSums)
    {
        int n = g.N, steps = g.StepCount, size = Steps.Size(TStep.Kind);
        Epilogue e = g.Epilogue;
        for (int c0 = 0; c0 < n; c0 += Width)
        {
            byte* panel = g.Panels + (long)c0 * steps * 4;
            int columns = Math.Min(Width, n - c0);
            for (int m0 = 0; m0 < a.Count; m0 += TileRows)
            {
                byte* a0 = a[m0], a1 = a[m0 + 1], a2 = a[m0 + 2], a3 = a[m0 + 3];
                Vector128<int> c00 = default, c01 = default, c10 = default, c11 = default;
                Vector128<int> c20 = default, c21 = default, c30 = default, c31 = default;
                byte* w = panel;
                for (int s = 0, k = 0; s < steps; s++, k += size, w += Width * 4)
                {
                    var w0 = Vector128.Load((int*)w);
                    var w1 = Vector128.Load((int*)w + 4);
                    var x = Vector128.Create(TStep.Load(a0 + k));
                    c00 = TStep.Dot(c00, x, w0);
                    c01 = TStep.Dot(c01, x, w1);
                    x = Vector128.Create(TStep.Load(a1 + k));
                    c10 = TStep.Dot(c10, x, w0);
                    c11 = TStep.Dot(c11, x, w1);
                    x = Vector128.Create(TStep.Load(a2 + k));
                    c20 = TStep.Dot(c20, x, w0);
                    c21 = TStep.Dot(c21, x, w1);
                    x = Vector128.Create(TStep.Load(a3 + k));
                    c30 = TStep.Dot(c30, x, w0);
                    c31 = TStep.Dot(c31, x, w1);
                }
                // All four rows requantized before any store (see Gemm256).
                ulong y0 = Epilogue128.Bytes(e, c00, c01, a.Sum(rowSums, m0), c0);
                ulong y1 = Epilogue128.Bytes(e, c10, c11, a.Sum(rowSums, m0 + 1), c0);
                ulong y2 = Epilogue128.Bytes(e, c20, c21, a.Sum(rowSums, m0 + 2), c0);
                ulong y3 = Epilogue128.Bytes(e, c30, c31, a.Sum(rowSums, m0 + 3), c0);
                int rows = Math.Min(TileRows, a.Count - m0);
                byte* row = y + (long)m0 * n + c0;
                Epilogue128.Write(y0, row, columns);
                if (rows > 1) Epilogue128.Write(y1, row + n, columns);
                if (rows > 2) Epilogue128.Write(y2, row + 2 * n, columns);
                if (rows > 3) Epilogue128.Write(y3, row + 3 * n, columns);
            }
        }
    }
}

/// <summary>Requantize 8 int32 accumulators (two vectors) of one row, portably, and store them as bytes.</summary>
internal static unsafe class Epilogue128
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Epilogue e, Vector128<int> acc0, Vector128<int> acc1, int rowSum, int c0, byte* y, int columns) =>
        Write(Bytes(e, acc0, acc1, rowSum, c0), y, columns);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bytes(Epilogue e, Vector128<int> acc0, Vector128<int> acc1, int rowSum, int c0)
    {
        Vector128<short> shorts = Vector128.Narrow(Requantize(e, acc0, rowSum, c0), Requantize(e, acc1, rowSum, c0 + 4));
        return Vector128.Narrow(shorts.AsUInt16(), shorts.AsUInt16()).AsUInt64().ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(ulong bytes, byte* y, int columns)
    {
        if (columns == 8) Unsafe.WriteUnaligned(y, bytes);
        else Epilogue256.StorePartial(bytes, y, columns);
    }

    /// <summary>
    /// Four channels from <paramref name="c0"/>. <see cref="Vector128.Round(Vector128{float})"/> rounds half to even
    /// (as <c>MathF.Round</c>'s default) to an integral float, which then converts to int32 exactly. Max/Min differ
    /// from <c>Math.Clamp</c> only for NaN and the sign of zero, which cannot change the integer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Requantize(Epilogue e, Vector128<int> acc, int rowSum, int c0)
    {
        acc += Vector128.Load(e.Offsets + c0);
        if (e.WeightZeroPoints != null) acc -= Vector128.Load(e.WeightZeroPoints + c0) * Vector128.Create(rowSum);
        var scaled = Vector128.ConvertToSingle(acc) * Vector128.Load(e.Multipliers + c0);
        var clamped = Vector128.Min(Vector128.Max(scaled, Vector128.Create(e.Low)), Vector128.Create(e.High));
        return Vector128.ConvertToInt32(Vector128.Round(clamped)) + Vector128.Create(e.ZeroPoint);
    }
}
