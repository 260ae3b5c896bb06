using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// 4 rows × 8 columns on the portable <see cref="Vector128{T}"/> (SSE4.1, NEON, …): eight int32 accumulators, one
/// int32 weight a lane, multiplied and added with wraparound; the portable requantize of <see cref="PanelRequantizer"/>.
/// </summary>
internal readonly unsafe struct XmmTile4x8<TStep> : IGemmTile
    where TStep : struct, IDot128
{
    public static int Width => 8;

    public static StepKind Kind => TStep.Kind;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Four(byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* offsets, int* sums)
    {
        var o0 = Vector128.Load(offsets);
        var o1 = Vector128.Load(offsets + 4);
        Vector128<int> c00 = o0, c01 = o1, c10 = o0, c11 = o1, c20 = o0, c21 = o1, c30 = o0, c31 = o1;
        int* w = (int*)panel, end = w + (nint)steps * 8;
        byte* p = a;   // the first row's lane; the others stride, 2·stride and 3·stride on
        nint stride3 = 3 * stride;
        for (; w < end; p += Steps.LaneBytes, w += 8)
        {
            var w0 = Vector128.Load(w);
            var w1 = Vector128.Load(w + 4);
            var x = Vector128.Create(Steps.Lane(p));
            c00 = TStep.Dot(c00, x, w0);
            c01 = TStep.Dot(c01, x, w1);
            x = Vector128.Create(Steps.Lane(p + stride));
            c10 = TStep.Dot(c10, x, w0);
            c11 = TStep.Dot(c11, x, w1);
            x = Vector128.Create(Steps.Lane(p + 2 * stride));
            c20 = TStep.Dot(c20, x, w0);
            c21 = TStep.Dot(c21, x, w1);
            x = Vector128.Create(Steps.Lane(p + stride3));
            c30 = TStep.Dot(c30, x, w0);
            c31 = TStep.Dot(c31, x, w1);
        }
        c00.Store(sums);
        c01.Store(sums + 4);
        c10.Store(sums + 8);
        c11.Store(sums + 12);
        c20.Store(sums + 16);
        c21.Store(sums + 20);
        c30.Store(sums + 24);
        c31.Store(sums + 28);
    }

    /// <summary>Even and odd steps go to separate accumulators, so four products are in flight instead of two; the int32 sums wrap as the reference's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void One(byte* a, byte* panel, int steps, int pairedSteps, int* offsets, int* sums)
    {
        var prefetch = PanelPrefetch.ForPass();
        int s = 0;
        int* w = (int*)panel;
        Vector128<int> even0 = Vector128.Load(offsets), even1 = Vector128.Load(offsets + 4), odd0 = default, odd1 = default;
        for (; s + 2 <= steps; s += 2, w += 16)
        {
            prefetch.Ahead(w, 16 * sizeof(int));
            var xe = Vector128.Create(Steps.Lane(a + s * Steps.LaneBytes));
            var xo = Vector128.Create(Steps.Lane(a + (s + 1) * Steps.LaneBytes));
            even0 = TStep.Dot(even0, xe, Vector128.Load(w));
            even1 = TStep.Dot(even1, xe, Vector128.Load(w + 4));
            odd0 = TStep.Dot(odd0, xo, Vector128.Load(w + 8));
            odd1 = TStep.Dot(odd1, xo, Vector128.Load(w + 12));
        }
        if (s < steps)
        {
            var xe = Vector128.Create(Steps.Lane(a + s * Steps.LaneBytes));
            even0 = TStep.Dot(even0, xe, Vector128.Load(w));
            even1 = TStep.Dot(even1, xe, Vector128.Load(w + 4));
        }
        (even0 + odd0).Store(sums);
        (even1 + odd1).Store(sums + 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TForm>(in PanelRequantizer requantizer, int* sums, int rowSum, byte* y)
        where TForm : struct, IRequantizeForm =>
        Unsafe.WriteUnaligned(y, requantizer.Bytes<TForm>(Vector128.Load(sums), Vector128.Load(sums + 4), rowSum));
}
