using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// 4 rows × 32 columns on zmm (AVX-512BW): eight int32 accumulators, one activation broadcast and two weight vectors
/// a step; the requantize is <see cref="PanelRequantizer"/>'s, on zmm. As in the ymm tiles, the accumulators start at
/// the offsets: started at zero, with the offsets added on the way out, the tile spent eight adds more a tile, and the
/// 224×224 fixture's expansions (K = 16–160) ran 1–5% slower on Zen 4 (bench/RESULTS.md). An earlier build of the
/// driver had measured the opposite (5–25% slower at the offsets); what changed it was not pinned down.
/// </summary>
internal readonly unsafe struct ZmmTile4x32<TStep> : IGemmTile
    where TStep : struct, IDot512
{
    public static int Width => 32;

    public static StepKind Kind => TStep.Kind;

    public static bool RequantizesFromRegisters => true;

    /// <summary>The interface's way out through memory: the driver takes <see cref="FourRequantized{TForm}"/> for this tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Four(byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* offsets, int* sums)
    {
        Accumulate(
            a, stride, panel, steps, pairedSteps, offsets,
            out var c00, out var c01, out var c10, out var c11, out var c20, out var c21, out var c30, out var c31);
        c00.Store(sums);
        c01.Store(sums + 16);
        c10.Store(sums + 32);
        c11.Store(sums + 48);
        c20.Store(sums + 64);
        c21.Store(sums + 80);
        c30.Store(sums + 96);
        c31.Store(sums + 112);
    }

    /// <summary>
    /// The K loop, the panel's corrections and the requantize with the accumulators in registers: through memory, with
    /// each tile's requantize deferred past the next tile's K loop as the ymm tiles do, the 224×224 fixture's small-K
    /// expansions took 6–9% longer on Zen 4 (bench/RESULTS.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FourRequantized<TForm>(
        byte* a, nint stride, byte* panel, int steps, int pairedSteps, PanelCorrections.Span corrections,
        in PanelRequantizer requantizer, in TileOutput output)
        where TForm : struct, IRequantizeForm
    {
        Accumulate(
            a, stride, panel, steps, pairedSteps, requantizer.Offsets,
            out var c00, out var c01, out var c10, out var c11, out var c20, out var c21, out var c30, out var c31);
        // Each correction to its slot's lane, on every row: a broadcast product under a one-lane mask (the adds wrap, as the sums do).
        for (PanelCorrections.Entry* e = corrections.First; e < corrections.End; e++)
        {
            int k = e->K, delta = e->Delta;
            var lane = Vector512.Equals(Vector512<int>.Indices, Vector512.Create(e->Slot % 16));
            Vector512<int> d0 = Vector512.Create(a[k] * delta) & lane, d1 = Vector512.Create(a[stride + k] * delta) & lane;
            Vector512<int> d2 = Vector512.Create(a[2 * stride + k] * delta) & lane, d3 = Vector512.Create(a[3 * stride + k] * delta) & lane;
            if (e->Slot < 16)
            {
                (c00, c10, c20, c30) = (c00 + d0, c10 + d1, c20 + d2, c30 + d3);
            }
            else
            {
                (c01, c11, c21, c31) = (c01 + d0, c11 + d1, c21 + d2, c31 + d3);
            }
        }
        byte* y = output.Y;
        int n = output.N, columns = output.Columns;
        PanelStore.Write(requantizer.Bytes<TForm>(c00, c01, output.RowSum0), y, columns);
        PanelStore.Write(requantizer.Bytes<TForm>(c10, c11, output.RowSum1), y + n, columns);
        PanelStore.Write(requantizer.Bytes<TForm>(c20, c21, output.RowSum2), y + 2 * n, columns);
        PanelStore.Write(requantizer.Bytes<TForm>(c30, c31, output.RowSum3), y + 3 * n, columns);
    }

    /// <summary>The K loop: four rows against one panel into eight accumulators, started at the offsets.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(
        byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* offsets,
        out Vector512<int> c00, out Vector512<int> c01, out Vector512<int> c10, out Vector512<int> c11,
        out Vector512<int> c20, out Vector512<int> c21, out Vector512<int> c30, out Vector512<int> c31)
    {
        var o0 = Vector512.Load(offsets);
        var o1 = Vector512.Load(offsets + 16);
        c00 = o0; c01 = o1; c10 = o0; c11 = o1; c20 = o0; c21 = o1; c30 = o0; c31 = o1;
        int* w = (int*)panel, pairedEnd = w + (nint)pairedSteps * 32, end = w + (nint)steps * 32;
        byte* p = a;   // the first row's lane; the others stride, 2·stride and 3·stride on
        nint stride3 = 3 * stride;
        if (TStep.PairsSteps)
        {
            for (; w < pairedEnd; p += 2 * Steps.LaneBytes, w += 64)
            {
                var w0 = Vector512.Load(w);
                var w1 = Vector512.Load(w + 16);
                var v0 = Vector512.Load(w + 32);
                var v1 = Vector512.Load(w + 48);
                var x = Vector512.Create(Steps.Lane(p));
                var y = Vector512.Create(Steps.Lane(p + Steps.LaneBytes));
                c00 = TStep.DotTwo(c00, x, w0, y, v0);
                c01 = TStep.DotTwo(c01, x, w1, y, v1);
                x = Vector512.Create(Steps.Lane(p + stride));
                y = Vector512.Create(Steps.Lane(p + stride + Steps.LaneBytes));
                c10 = TStep.DotTwo(c10, x, w0, y, v0);
                c11 = TStep.DotTwo(c11, x, w1, y, v1);
                x = Vector512.Create(Steps.Lane(p + 2 * stride));
                y = Vector512.Create(Steps.Lane(p + 2 * stride + Steps.LaneBytes));
                c20 = TStep.DotTwo(c20, x, w0, y, v0);
                c21 = TStep.DotTwo(c21, x, w1, y, v1);
                x = Vector512.Create(Steps.Lane(p + stride3));
                y = Vector512.Create(Steps.Lane(p + stride3 + Steps.LaneBytes));
                c30 = TStep.DotTwo(c30, x, w0, y, v0);
                c31 = TStep.DotTwo(c31, x, w1, y, v1);
            }
        }
        for (; w < end; p += Steps.LaneBytes, w += 32)
        {
            var w0 = Vector512.Load(w);
            var w1 = Vector512.Load(w + 16);
            var x = Vector512.Create(Steps.Lane(p));
            c00 = TStep.Dot(c00, x, w0);
            c01 = TStep.Dot(c01, x, w1);
            x = Vector512.Create(Steps.Lane(p + stride));
            c10 = TStep.Dot(c10, x, w0);
            c11 = TStep.Dot(c11, x, w1);
            x = Vector512.Create(Steps.Lane(p + 2 * stride));
            c20 = TStep.Dot(c20, x, w0);
            c21 = TStep.Dot(c21, x, w1);
            x = Vector512.Create(Steps.Lane(p + stride3));
            c30 = TStep.Dot(c30, x, w0);
            c31 = TStep.Dot(c31, x, w1);
        }
    }

    /// <summary>Even and odd steps go to separate accumulators, so four dot products are in flight instead of two; the int32 sums wrap as the reference's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void One(byte* a, byte* panel, int steps, int pairedSteps, int* offsets, int* sums)
    {
        var prefetch = PanelPrefetch.ForPass();
        int s = 0;
        int* w = (int*)panel;
        Vector512<int> even0 = Vector512.Load(offsets), even1 = Vector512.Load(offsets + 16), odd0 = default, odd1 = default;
        if (TStep.PairsSteps)
        {
            for (; s + 4 <= pairedSteps; s += 4, w += 128)
            {
                prefetch.Ahead(w, 64 * sizeof(int));
                prefetch.Ahead(w + 64, 64 * sizeof(int));
                byte* x = a + s * Steps.LaneBytes;
                var x0 = Vector512.Create(Steps.Lane(x));
                var x1 = Vector512.Create(Steps.Lane(x + Steps.LaneBytes));
                var x2 = Vector512.Create(Steps.Lane(x + 2 * Steps.LaneBytes));
                var x3 = Vector512.Create(Steps.Lane(x + 3 * Steps.LaneBytes));
                even0 = TStep.DotTwo(even0, x0, Vector512.Load(w), x1, Vector512.Load(w + 32));
                even1 = TStep.DotTwo(even1, x0, Vector512.Load(w + 16), x1, Vector512.Load(w + 48));
                odd0 = TStep.DotTwo(odd0, x2, Vector512.Load(w + 64), x3, Vector512.Load(w + 96));
                odd1 = TStep.DotTwo(odd1, x2, Vector512.Load(w + 80), x3, Vector512.Load(w + 112));
            }
        }
        for (; s + 2 <= steps; s += 2, w += 64)
        {
            prefetch.Ahead(w, 64 * sizeof(int));
            var xe = Vector512.Create(Steps.Lane(a + s * Steps.LaneBytes));
            var xo = Vector512.Create(Steps.Lane(a + (s + 1) * Steps.LaneBytes));
            even0 = TStep.Dot(even0, xe, Vector512.Load(w));
            even1 = TStep.Dot(even1, xe, Vector512.Load(w + 16));
            odd0 = TStep.Dot(odd0, xo, Vector512.Load(w + 32));
            odd1 = TStep.Dot(odd1, xo, Vector512.Load(w + 48));
        }
        if (s < steps)
        {
            var xe = Vector512.Create(Steps.Lane(a + s * Steps.LaneBytes));
            even0 = TStep.Dot(even0, xe, Vector512.Load(w));
            even1 = TStep.Dot(even1, xe, Vector512.Load(w + 16));
        }
        (even0 + odd0).Store(sums);
        (even1 + odd1).Store(sums + 16);
    }

    /// <summary>
    /// The slot of its panel that column <paramref name="column"/> goes to (<see cref="QGemm"/> packs the weights so):
    /// each accumulator's 128-bit lane <c>i</c> holds four columns, the first accumulator's <c>8i…8i+3</c> and the
    /// second's <c>8i+4…8i+7</c>, so the requantize's signed pack leaves the 32 words in column order and one narrowing
    /// stores them, with no shuffle across lanes (<see cref="PanelRequantizer.Bytes{TForm}(Vector512{int}, Vector512{int}, int)"/>).
    /// </summary>
    public static int SlotOfColumn(int column) => column % 8 / 4 * 16 + column / 8 * 4 + column % 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TForm>(in PanelRequantizer requantizer, int* sums, int rowSum, byte* y)
        where TForm : struct, IRequantizeForm =>
        requantizer.Bytes<TForm>(Vector512.Load(sums), Vector512.Load(sums + 16), rowSum).Store(y);
}
