using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The 256-bit GEMM on machines with AVX-512VL, whose 32 vector registers hold a larger tile: 4 rows × 32 columns,
/// sixteen ymm accumulators, one activation broadcast and four weight vectors a step. Sixteen independent chains hide
/// <c>VPDPBUSD</c>'s latency (eight, as in <see cref="Gemm256{TStep}"/>, leave it half idle), and each broadcast feeds
/// four products instead of two. The accumulators start at the offsets, and the epilogue
/// (<see cref="PanelRequantizer"/>) stays on ymm.
/// </summary>
internal static unsafe class Gemm256Wide<TStep>
    where TStep : struct, IDot256
{
    public const int TileRows = 4, Width = 32;

    /// <summary>Whether this machine has the 32 vector registers (AVX-512VL) and the masked byte stores (AVX-512BW) this kernel needs.</summary>
    public static bool IsSupported => Avx512BW.VL.IsSupported;

    public static void Run(QGemm g, Rows a, byte* y, int* rowSums)
    {
        int n = g.N, steps = g.StepCount;
        int whole = a.Count - a.Count % TileRows, block = GemmBlocking.Rows(g.K, g.N, TileRows);
        Vector256<int>* sums = stackalloc Vector256<int>[4 * TileRows];
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
                Tiles(g, a, y, rowSums, c0, b0, Math.Min(whole, b0 + block), sums);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tiles(QGemm g, Rows a, byte* y, int* rowSums, int c0, int start, int end, Vector256<int>* sums)
    {
        int n = g.N, steps = g.StepCount, size = Steps.Size(TStep.Kind);
        var requantizer = new PanelRequantizer(g.Epilogue, c0);
        var o0 = Vector256.Load(requantizer.Offsets);
        var o1 = Vector256.Load(requantizer.Offsets + 8);
        var o2 = Vector256.Load(requantizer.Offsets + 16);
        var o3 = Vector256.Load(requantizer.Offsets + 24);
        byte* panel = g.Panels + (long)c0 * steps * 4;
        int columns = Math.Min(Width, n - c0);
        Vector256<byte> mask = PanelStore.Mask(columns);
        for (int m0 = start; m0 < end; m0 += TileRows)
        {
            byte* a0 = a[m0], a1 = a[m0 + 1], a2 = a[m0 + 2], a3 = a[m0 + 3];
            Vector256<int> c00 = o0, c01 = o1, c02 = o2, c03 = o3;
            Vector256<int> c10 = o0, c11 = o1, c12 = o2, c13 = o3;
            Vector256<int> c20 = o0, c21 = o1, c22 = o2, c23 = o3;
            Vector256<int> c30 = o0, c31 = o1, c32 = o2, c33 = o3;
            byte* w = panel;
            for (int s = 0, k = 0; s < steps; s++, k += size, w += Width * 4)
            {
                var w0 = Vector256.Load((int*)w);
                var w1 = Vector256.Load((int*)w + 8);
                var w2 = Vector256.Load((int*)w + 16);
                var w3 = Vector256.Load((int*)w + 24);
                var x = Vector256.Create(TStep.Load(a0 + k));
                c00 = TStep.Dot(c00, x, w0);
                c01 = TStep.Dot(c01, x, w1);
                c02 = TStep.Dot(c02, x, w2);
                c03 = TStep.Dot(c03, x, w3);
                x = Vector256.Create(TStep.Load(a1 + k));
                c10 = TStep.Dot(c10, x, w0);
                c11 = TStep.Dot(c11, x, w1);
                c12 = TStep.Dot(c12, x, w2);
                c13 = TStep.Dot(c13, x, w3);
                x = Vector256.Create(TStep.Load(a2 + k));
                c20 = TStep.Dot(c20, x, w0);
                c21 = TStep.Dot(c21, x, w1);
                c22 = TStep.Dot(c22, x, w2);
                c23 = TStep.Dot(c23, x, w3);
                x = Vector256.Create(TStep.Load(a3 + k));
                c30 = TStep.Dot(c30, x, w0);
                c31 = TStep.Dot(c31, x, w1);
                c32 = TStep.Dot(c32, x, w2);
                c33 = TStep.Dot(c33, x, w3);
            }
            // The accumulators leave the K loop through memory once per tile (see Gemm256).
            (sums[0], sums[1], sums[2], sums[3]) = (c00, c01, c02, c03);
            (sums[4], sums[5], sums[6], sums[7]) = (c10, c11, c12, c13);
            (sums[8], sums[9], sums[10], sums[11]) = (c20, c21, c22, c23);
            (sums[12], sums[13], sums[14], sums[15]) = (c30, c31, c32, c33);
            // All four rows requantized before any store: nothing may live across the out-of-line partial store.
            var y0 = requantizer.Bytes(sums, a.Sum(rowSums, m0));
            var y1 = requantizer.Bytes(sums + 4, a.Sum(rowSums, m0 + 1));
            var y2 = requantizer.Bytes(sums + 8, a.Sum(rowSums, m0 + 2));
            var y3 = requantizer.Bytes(sums + 12, a.Sum(rowSums, m0 + 3));
            byte* row = y + (long)m0 * n + c0;
            PanelStore.Write(y0, row, columns, mask);
            PanelStore.Write(y1, row + n, columns, mask);
            PanelStore.Write(y2, row + 2 * n, columns, mask);
            PanelStore.Write(y3, row + 3 * n, columns, mask);
        }
    }

    /// <summary>
    /// One row against one panel: the rows left over by whole tiles (all of them at batch 1 on a 1×1 image). Even and
    /// odd steps go to separate accumulators, so eight dot products are in flight; the int32 sums wrap as the reference's.
    /// </summary>
    private static void Row(QGemm g, Rows a, int m, byte* panel, byte* y, int* rowSums, int c0, int columns)
    {
        int steps = g.StepCount, size = Steps.Size(TStep.Kind), s = 0;
        byte* x = a[m];
        int* w = (int*)panel;
        Vector256<int> even0 = default, even1 = default, even2 = default, even3 = default;
        Vector256<int> odd0 = default, odd1 = default, odd2 = default, odd3 = default;
        for (; s + 2 <= steps; s += 2, w += 2 * Width)
        {
            var xe = Vector256.Create(TStep.Load(x + s * size));
            var xo = Vector256.Create(TStep.Load(x + (s + 1) * size));
            even0 = TStep.Dot(even0, xe, Vector256.Load(w));
            even1 = TStep.Dot(even1, xe, Vector256.Load(w + 8));
            even2 = TStep.Dot(even2, xe, Vector256.Load(w + 16));
            even3 = TStep.Dot(even3, xe, Vector256.Load(w + 24));
            odd0 = TStep.Dot(odd0, xo, Vector256.Load(w + 32));
            odd1 = TStep.Dot(odd1, xo, Vector256.Load(w + 40));
            odd2 = TStep.Dot(odd2, xo, Vector256.Load(w + 48));
            odd3 = TStep.Dot(odd3, xo, Vector256.Load(w + 56));
        }
        if (s < steps)
        {
            var xe = Vector256.Create(TStep.Load(x + s * size));
            even0 = TStep.Dot(even0, xe, Vector256.Load(w));
            even1 = TStep.Dot(even1, xe, Vector256.Load(w + 8));
            even2 = TStep.Dot(even2, xe, Vector256.Load(w + 16));
            even3 = TStep.Dot(even3, xe, Vector256.Load(w + 24));
        }
        var requantizer = new PanelRequantizer(g.Epilogue, c0);
        int* offsets = requantizer.Offsets;
        var sums = stackalloc Vector256<int>[]
        {
            even0 + odd0 + Vector256.Load(offsets), even1 + odd1 + Vector256.Load(offsets + 8),
            even2 + odd2 + Vector256.Load(offsets + 16), even3 + odd3 + Vector256.Load(offsets + 24),
        };
        PanelStore.Write(requantizer.Bytes(sums, a.Sum(rowSums, m)), y, columns);
    }
}
