using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The 256-bit GEMM: tiles of 4 rows × 16 columns, eight int32 accumulators, one activation broadcast and two
/// weight vectors a step (AVX-VNNI and AVX2). The accumulators start at the offsets; the epilogue is
/// <see cref="PanelRequantizer"/>'s.
/// </summary>
internal static unsafe class Gemm256<TStep>
    where TStep : struct, IDot256
{
    private const int TileRows = 4, Width = 16;

    public static void Run(QGemm g, Rows a, byte* y, int* rowSums)
    {
        int n = g.N, steps = g.StepCount;
        int whole = a.Count - a.Count % TileRows, block = GemmBlocking.Rows(g.K, g.N, TileRows);
        for (int c0 = 0; c0 < n; c0 += Width)
        {
            byte* panel = g.Panels + (long)c0 * steps * 4;
            for (int m = whole; m < a.Count; m++) Row(g, a, m, panel, y + (long)m * n + c0, rowSums, c0, Math.Min(Width, n - c0));
        }
        // Row blocks outside, panels inside: a block of A stays in L1 while every panel passes over it.
        for (int b0 = 0; b0 < whole; b0 += block)
        {
            for (int c0 = 0; c0 < n; c0 += Width)
            {
                Tiles(g, a, y, rowSums, c0, b0, Math.Min(whole, b0 + block));
            }
        }
    }

    private static void Tiles(QGemm g, Rows a, byte* y, int* rowSums, int c0, int start, int end)
    {
        int n = g.N, steps = g.StepCount, size = Steps.Size(TStep.Kind);
        var requantizer = new PanelRequantizer(g.Epilogue, c0);
        var o0 = Vector256.Load(requantizer.Offsets);
        var o1 = Vector256.Load(requantizer.Offsets + 8);
        byte* panel = g.Panels + (long)c0 * steps * 4;
        int columns = Math.Min(Width, n - c0);
        // The accumulators leave the K loop through memory once per tile: left live into the epilogue, the JIT keeps
        // six of them on the stack and stores them on every K step.
        Vector256<int>* sums = stackalloc Vector256<int>[2 * TileRows];
        for (int m0 = start; m0 < end; m0 += TileRows)
        {
            byte* a0 = a[m0], a1 = a[m0 + 1], a2 = a[m0 + 2], a3 = a[m0 + 3];
            Vector256<int> c00 = o0, c01 = o1, c10 = o0, c11 = o1, c20 = o0, c21 = o1, c30 = o0, c31 = o1;
            byte* w = panel;
            for (int s = 0, k = 0; s < steps; s++, k += size, w += Width * 4)
            {
                var w0 = Vector256.Load((int*)w);
                var w1 = Vector256.Load((int*)w + 8);
                var x = Vector256.Create(TStep.Load(a0 + k));
                c00 = TStep.Dot(c00, x, w0);
                c01 = TStep.Dot(c01, x, w1);
                x = Vector256.Create(TStep.Load(a1 + k));
                c10 = TStep.Dot(c10, x, w0);
                c11 = TStep.Dot(c11, x, w1);
                x = Vector256.Create(TStep.Load(a2 + k));
                c20 = TStep.Dot(c20, x, w0);
                c21 = TStep.Dot(c21, x, w1);
                x = Vector256.Create(TStep.Load(a3 + k));
                c30 = TStep.Dot(c30, x, w0);
                c31 = TStep.Dot(c31, x, w1);
            }
            (sums[0], sums[1], sums[2], sums[3]) = (c00, c01, c10, c11);
            (sums[4], sums[5], sums[6], sums[7]) = (c20, c21, c30, c31);
            // Requantize all four rows before any store: nothing may live across the out-of-line partial store.
            var y0 = requantizer.Bytes(sums[0], sums[1], a.Sum(rowSums, m0));
            var y1 = requantizer.Bytes(sums[2], sums[3], a.Sum(rowSums, m0 + 1));
            var y2 = requantizer.Bytes(sums[4], sums[5], a.Sum(rowSums, m0 + 2));
            var y3 = requantizer.Bytes(sums[6], sums[7], a.Sum(rowSums, m0 + 3));
            int rows = Math.Min(TileRows, a.Count - m0);
            byte* row = y + (long)m0 * n + c0;
            Epilogue256.Write(y0, row, columns);
            if (rows > 1) Epilogue256.Write(y1, row + n, columns);
            if (rows > 2) Epilogue256.Write(y2, row + 2 * n, columns);
            if (rows > 3) Epilogue256.Write(y3, row + 3 * n, columns);
        }
    }

    /// <summary>
    /// One row against one panel: the rows left over by whole tiles (all of them at batch 1 on a 1×1 image), which a
    /// 4-row tile would compute four times. Even and odd steps go to separate accumulators, so four dot products
    /// are in flight instead of two; the int32 sums wrap as the reference's.
    /// </summary>
    private static void Row(QGemm g, Rows a, int m, byte* panel, byte* y, int* rowSums, int c0, int columns)
    {
        int steps = g.StepCount, size = Steps.Size(TStep.Kind), s = 0;
        byte* x = a[m];
        byte* w = panel;
        Vector256<int> even0 = default, even1 = default, odd0 = default, odd1 = default;
        for (; s + 2 <= steps; s += 2, w += 2 * Width * 4)
        {
            var xe = Vector256.Create(TStep.Load(x + s * size));
            var xo = Vector256.Create(TStep.Load(x + (s + 1) * size));
            even0 = TStep.Dot(even0, xe, Vector256.Load((int*)w));
            even1 = TStep.Dot(even1, xe, Vector256.Load((int*)w + 8));
            odd0 = TStep.Dot(odd0, xo, Vector256.Load((int*)w + 16));
            odd1 = TStep.Dot(odd1, xo, Vector256.Load((int*)w + 24));
        }
        if (s < steps)
        {
            var xe = Vector256.Create(TStep.Load(x + s * size));
            even0 = TStep.Dot(even0, xe, Vector256.Load((int*)w));
            even1 = TStep.Dot(even1, xe, Vector256.Load((int*)w + 8));
        }
        var requantizer = new PanelRequantizer(g.Epilogue, c0);
        var sum0 = even0 + odd0 + Vector256.Load(requantizer.Offsets);
        var sum1 = even1 + odd1 + Vector256.Load(requantizer.Offsets + 8);
        Epilogue256.Write(requantizer.Bytes(sum0, sum1, a.Sum(rowSums, m)), y, columns);
    }
}

/// <summary>How many rows of A a GEMM takes at a time.</summary>
internal static class GemmBlocking
{
    /// <summary>
    /// Rows of A per block, in whole tiles: about 16 KB of activations, half of L1, and no more than 16 KB of output, so
    /// that the block's output lines stay in L1 while each panel writes its columns of them (a small K and a wide N
    /// otherwise write every line back to L2 once per panel).
    /// </summary>
    public static int Rows(int k, int n, int tileRows) => Math.Max(tileRows, 16384 / Math.Max(1, Math.Max(k, n)) / tileRows * tileRows);
}
