using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// 4 rows × 24 columns on ymm, for AVX2's sixteen vector registers: twelve accumulators, three weight vectors and one
/// activation broadcast a step (the <c>vpmaddubsw</c> steps, which need more, as two passes of two rows: <see cref="Two"/>). Each broadcast feeds three products instead of <see cref="YmmTile4x16{TStep}"/>'s two,
/// and each tile's setup and row pointers serve 24 columns, which pays where K is small (MobileNetV2's expansions from
/// 16–32 channels, whose tiles spend as long around the K loop as in it) and where N is a multiple of 24 that 16 would
/// split into a wasted half panel (the projections to 24 channels). AVX-VNNI takes it too where 24-column panels pad N
/// less than its 4×32 tile's (N = 24, 144): there the requantize, which bounds the small-K layers, would spend its
/// work on the padding.
/// </summary>
internal readonly unsafe struct YmmTile4x24<TStep> : IGemmTile
    where TStep : struct, IDot256
{
    public static int Width => 24;

    public static StepKind Kind => TStep.Kind;

    /// <summary>Whether 24-column panels cover <paramref name="n"/> columns with no more padding than 16-column ones.</summary>
    public static bool Suits(int n) => (n + 23) / 24 * 24 <= (n + 15) / 16 * 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Four(byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* offsets, int* sums)
    {
        if (TStep.PairsSteps)
        {
            // Twelve accumulators and a pair of steps' broadcasts and products overflow AVX2's sixteen registers (Two).
            Two(a, stride, panel, steps, pairedSteps, offsets, sums);
            Two(a + 2 * stride, stride, panel, steps, pairedSteps, offsets, sums + 48);
            return;
        }
        var o0 = Vector256.Load(offsets);
        var o1 = Vector256.Load(offsets + 8);
        var o2 = Vector256.Load(offsets + 16);
        Vector256<int> c00 = o0, c01 = o1, c02 = o2, c10 = o0, c11 = o1, c12 = o2;
        Vector256<int> c20 = o0, c21 = o1, c22 = o2, c30 = o0, c31 = o1, c32 = o2;
        int* w = (int*)panel, end = w + (nint)steps * 24;
        byte* p = a;   // the first row's lane; the others stride, 2·stride and 3·stride on
        nint stride3 = 3 * stride;
        for (; w < end; p += Steps.LaneBytes, w += 24)
        {
            var w0 = Vector256.Load(w);
            var w1 = Vector256.Load(w + 8);
            var w2 = Vector256.Load(w + 16);
            var x = Vector256.Create(Steps.Lane(p));
            c00 = TStep.Dot(c00, x, w0);
            c01 = TStep.Dot(c01, x, w1);
            c02 = TStep.Dot(c02, x, w2);
            x = Vector256.Create(Steps.Lane(p + stride));
            c10 = TStep.Dot(c10, x, w0);
            c11 = TStep.Dot(c11, x, w1);
            c12 = TStep.Dot(c12, x, w2);
            x = Vector256.Create(Steps.Lane(p + 2 * stride));
            c20 = TStep.Dot(c20, x, w0);
            c21 = TStep.Dot(c21, x, w1);
            c22 = TStep.Dot(c22, x, w2);
            x = Vector256.Create(Steps.Lane(p + stride3));
            c30 = TStep.Dot(c30, x, w0);
            c31 = TStep.Dot(c31, x, w1);
            c32 = TStep.Dot(c32, x, w2);
        }
        c00.Store(sums);
        c01.Store(sums + 8);
        c02.Store(sums + 16);
        c10.Store(sums + 24);
        c11.Store(sums + 32);
        c12.Store(sums + 40);
        c20.Store(sums + 48);
        c21.Store(sums + 56);
        c22.Store(sums + 64);
        c30.Store(sums + 72);
        c31.Store(sums + 80);
        c32.Store(sums + 88);
    }

    /// <summary>
    /// Two rows of <see cref="Four"/>, which takes the steps that pair (<c>vpmaddubsw</c>) as two passes of these: a step's
    /// product needs a register beside its broadcast, and a pair of steps two, so with twelve accumulators AVX2's sixteen
    /// registers overflowed, and the JIT kept seven accumulators and a product on the stack, a store and a reload each
    /// step. How fast such a loop ran then hung on where the stack lay against the data: at some depths a layer took
    /// 2–6 times as long (Zen 2, bench/RESULTS.md). Six accumulators leave room; the panel, read twice, stays in L1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Two(byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* offsets, int* sums)
    {
        Vector256<int> c00 = Vector256.Load(offsets), c01 = Vector256.Load(offsets + 8), c02 = Vector256.Load(offsets + 16);
        Vector256<int> c10 = c00, c11 = c01, c12 = c02;
        int* w = (int*)panel, pairedEnd = w + (nint)pairedSteps * 24, end = w + (nint)steps * 24;
        byte* p = a;
        for (; w < pairedEnd; p += 2 * Steps.LaneBytes, w += 48)
        {
            var x = Vector256.Create(Steps.Lane(p));
            var y = Vector256.Create(Steps.Lane(p + Steps.LaneBytes));
            c00 = TStep.DotTwo(c00, x, Vector256.Load(w), y, Vector256.Load(w + 24));
            c01 = TStep.DotTwo(c01, x, Vector256.Load(w + 8), y, Vector256.Load(w + 32));
            c02 = TStep.DotTwo(c02, x, Vector256.Load(w + 16), y, Vector256.Load(w + 40));
            x = Vector256.Create(Steps.Lane(p + stride));
            y = Vector256.Create(Steps.Lane(p + stride + Steps.LaneBytes));
            c10 = TStep.DotTwo(c10, x, Vector256.Load(w), y, Vector256.Load(w + 24));
            c11 = TStep.DotTwo(c11, x, Vector256.Load(w + 8), y, Vector256.Load(w + 32));
            c12 = TStep.DotTwo(c12, x, Vector256.Load(w + 16), y, Vector256.Load(w + 40));
        }
        for (; w < end; p += Steps.LaneBytes, w += 24)
        {
            var w0 = Vector256.Load(w);
            var w1 = Vector256.Load(w + 8);
            var w2 = Vector256.Load(w + 16);
            var x = Vector256.Create(Steps.Lane(p));
            c00 = TStep.Dot(c00, x, w0);
            c01 = TStep.Dot(c01, x, w1);
            c02 = TStep.Dot(c02, x, w2);
            x = Vector256.Create(Steps.Lane(p + stride));
            c10 = TStep.Dot(c10, x, w0);
            c11 = TStep.Dot(c11, x, w1);
            c12 = TStep.Dot(c12, x, w2);
        }
        c00.Store(sums);
        c01.Store(sums + 8);
        c02.Store(sums + 16);
        c10.Store(sums + 24);
        c11.Store(sums + 32);
        c12.Store(sums + 40);
    }

    /// <summary>Even and odd steps go to separate accumulators, so six dot products are in flight; the int32 sums wrap as the reference's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void One(byte* a, byte* panel, int steps, int pairedSteps, int* offsets, int* sums)
    {
        var prefetch = PanelPrefetch.ForPass();
        int s = 0;
        int* w = (int*)panel;
        Vector256<int> even0 = Vector256.Load(offsets), even1 = Vector256.Load(offsets + 8), even2 = Vector256.Load(offsets + 16);
        Vector256<int> odd0 = default, odd1 = default, odd2 = default;
        if (TStep.PairsSteps)
        {
            for (; s + 4 <= pairedSteps; s += 4, w += 96)
            {
                prefetch.Ahead(w, 64 * sizeof(int));
                prefetch.Ahead(w + 64, 32 * sizeof(int));
                byte* x = a + s * Steps.LaneBytes;
                var x0 = Vector256.Create(Steps.Lane(x));
                var x1 = Vector256.Create(Steps.Lane(x + Steps.LaneBytes));
                var x2 = Vector256.Create(Steps.Lane(x + 2 * Steps.LaneBytes));
                var x3 = Vector256.Create(Steps.Lane(x + 3 * Steps.LaneBytes));
                even0 = TStep.DotTwo(even0, x0, Vector256.Load(w), x1, Vector256.Load(w + 24));
                even1 = TStep.DotTwo(even1, x0, Vector256.Load(w + 8), x1, Vector256.Load(w + 32));
                even2 = TStep.DotTwo(even2, x0, Vector256.Load(w + 16), x1, Vector256.Load(w + 40));
                odd0 = TStep.DotTwo(odd0, x2, Vector256.Load(w + 48), x3, Vector256.Load(w + 72));
                odd1 = TStep.DotTwo(odd1, x2, Vector256.Load(w + 56), x3, Vector256.Load(w + 80));
                odd2 = TStep.DotTwo(odd2, x2, Vector256.Load(w + 64), x3, Vector256.Load(w + 88));
            }
        }
        for (; s + 2 <= steps; s += 2, w += 48)
        {
            prefetch.Ahead(w, 48 * sizeof(int));
            var xe = Vector256.Create(Steps.Lane(a + s * Steps.LaneBytes));
            var xo = Vector256.Create(Steps.Lane(a + (s + 1) * Steps.LaneBytes));
            even0 = TStep.Dot(even0, xe, Vector256.Load(w));
            even1 = TStep.Dot(even1, xe, Vector256.Load(w + 8));
            even2 = TStep.Dot(even2, xe, Vector256.Load(w + 16));
            odd0 = TStep.Dot(odd0, xo, Vector256.Load(w + 24));
            odd1 = TStep.Dot(odd1, xo, Vector256.Load(w + 32));
            odd2 = TStep.Dot(odd2, xo, Vector256.Load(w + 40));
        }
        if (s < steps)
        {
            var xe = Vector256.Create(Steps.Lane(a + s * Steps.LaneBytes));
            even0 = TStep.Dot(even0, xe, Vector256.Load(w));
            even1 = TStep.Dot(even1, xe, Vector256.Load(w + 8));
            even2 = TStep.Dot(even2, xe, Vector256.Load(w + 16));
        }
        (even0 + odd0).Store(sums);
        (even1 + odd1).Store(sums + 8);
        (even2 + odd2).Store(sums + 16);
    }

    /// <summary>
    /// The slot of its panel that column <paramref name="column"/> goes to (<see cref="QGemm"/> packs the weights so): the
    /// packs of the requantize leave each 128-bit lane with four columns of each accumulator, so accumulator
    /// <c>q</c> holds columns <c>4q…4q+3</c> in its lower lane and <c>12+4q…12+4q+3</c> in its upper one, and the
    /// lanes come out as columns 0–11 and 12–23 with no shuffle across them (Zen 3 issues <c>vpermd</c> at 0.8 a cycle).
    /// </summary>
    public static int SlotOfColumn(int column) => column % 12 / 4 * 8 + column / 12 * 4 + column % 4;

    /// <summary>24 bytes: the lower lane's first 12, then the upper lane's first 12 as 8 and 4 (none past the 24th).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TForm>(in PanelRequantizer requantizer, int* sums, int rowSum, byte* y)
        where TForm : struct, IRequantizeForm
    {
        Vector256<byte> bytes = requantizer.Bytes24InLanes<TForm>((Vector256<int>*)sums, rowSum);
        bytes.GetLower().Store(y);   // its last 4 bytes are overwritten just below
        Vector128<byte> upper = bytes.GetUpper();
        *(ulong*)(y + 12) = upper.AsUInt64().ToScalar();
        *(uint*)(y + 20) = upper.AsUInt32().GetElement(2);
    }
}
