using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// 4 rows × 16 columns on ymm (AVX-VNNI and AVX2): eight int32 accumulators, one activation broadcast and two weight
/// vectors a step; the requantize is <see cref="PanelRequantizer"/>'s.
/// </summary>
internal readonly unsafe struct YmmTile4x16<TStep> : IGemmTile
    where TStep : struct, IDot256
{
    public static int Width => 16;

    public static StepKind Kind => TStep.Kind;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Four(byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* offsets, int* sums) =>
        FirstSixteen(a, stride, panel, steps, pairedSteps, offsets, sums, Width);

    /// <summary>
    /// <see cref="Four"/> over the first 16 columns of panels <paramref name="panelWidth"/> columns wide: 16 here, 32 for
    /// <see cref="YmmTile4x32{TStep}.FourHalf"/>. A step's weights lie <paramref name="panelWidth"/> ints apart, and so do
    /// the rows of <paramref name="sums"/>; a constant at each call, folded where this is inlined.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void FirstSixteen(byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* offsets, int* sums, int panelWidth)
    {
        if (TStep.PairsSteps)
        {
            // Eight accumulators and a pair of steps' weights, broadcasts and products overflow AVX2's sixteen registers
            // (as YmmTile4x24's, see its Two).
            Two(a, stride, panel, steps, pairedSteps, offsets, sums, panelWidth);
            Two(a + 2 * stride, stride, panel, steps, pairedSteps, offsets, sums + 2 * panelWidth, panelWidth);
            return;
        }
        var o0 = Vector256.Load(offsets);
        var o1 = Vector256.Load(offsets + 8);
        Vector256<int> c00 = o0, c01 = o1, c10 = o0, c11 = o1, c20 = o0, c21 = o1, c30 = o0, c31 = o1;
        int* w = (int*)panel, end = w + (nint)steps * panelWidth;
        byte* p = a;   // the first row's lane; the others stride, 2·stride and 3·stride on
        nint stride3 = 3 * stride;
        for (; w < end; p += Steps.LaneBytes, w += panelWidth)
        {
            var w0 = Vector256.Load(w);
            var w1 = Vector256.Load(w + 8);
            var x = Vector256.Create(Steps.Lane(p));
            c00 = TStep.Dot(c00, x, w0);
            c01 = TStep.Dot(c01, x, w1);
            x = Vector256.Create(Steps.Lane(p + stride));
            c10 = TStep.Dot(c10, x, w0);
            c11 = TStep.Dot(c11, x, w1);
            x = Vector256.Create(Steps.Lane(p + 2 * stride));
            c20 = TStep.Dot(c20, x, w0);
            c21 = TStep.Dot(c21, x, w1);
            x = Vector256.Create(Steps.Lane(p + stride3));
            c30 = TStep.Dot(c30, x, w0);
            c31 = TStep.Dot(c31, x, w1);
        }
        c00.Store(sums);
        c01.Store(sums + 8);
        c10.Store(sums + panelWidth);
        c11.Store(sums + panelWidth + 8);
        c20.Store(sums + 2 * panelWidth);
        c21.Store(sums + 2 * panelWidth + 8);
        c30.Store(sums + 3 * panelWidth);
        c31.Store(sums + 3 * panelWidth + 8);
    }

    /// <summary>Two rows of <see cref="FirstSixteen"/>, which takes the <c>vpmaddubsw</c> steps as two passes of these.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Two(byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* offsets, int* sums, int panelWidth)
    {
        Vector256<int> c00 = Vector256.Load(offsets), c01 = Vector256.Load(offsets + 8), c10 = c00, c11 = c01;
        int* w = (int*)panel, pairedEnd = w + (nint)pairedSteps * panelWidth, end = w + (nint)steps * panelWidth;
        byte* p = a;
        for (; w < pairedEnd; p += 2 * Steps.LaneBytes, w += 2 * panelWidth)
        {
            var w0 = Vector256.Load(w);
            var w1 = Vector256.Load(w + 8);
            var v0 = Vector256.Load(w + panelWidth);
            var v1 = Vector256.Load(w + panelWidth + 8);
            var x = Vector256.Create(Steps.Lane(p));
            var y = Vector256.Create(Steps.Lane(p + Steps.LaneBytes));
            c00 = TStep.DotTwo(c00, x, w0, y, v0);
            c01 = TStep.DotTwo(c01, x, w1, y, v1);
            x = Vector256.Create(Steps.Lane(p + stride));
            y = Vector256.Create(Steps.Lane(p + stride + Steps.LaneBytes));
            c10 = TStep.DotTwo(c10, x, w0, y, v0);
            c11 = TStep.DotTwo(c11, x, w1, y, v1);
        }
        for (; w < end; p += Steps.LaneBytes, w += panelWidth)
        {
            var w0 = Vector256.Load(w);
            var w1 = Vector256.Load(w + 8);
            var x = Vector256.Create(Steps.Lane(p));
            c00 = TStep.Dot(c00, x, w0);
            c01 = TStep.Dot(c01, x, w1);
            x = Vector256.Create(Steps.Lane(p + stride));
            c10 = TStep.Dot(c10, x, w0);
            c11 = TStep.Dot(c11, x, w1);
        }
        c00.Store(sums);
        c01.Store(sums + 8);
        c10.Store(sums + panelWidth);
        c11.Store(sums + panelWidth + 8);
    }

    /// <summary>Even and odd steps go to separate accumulators, so four dot products are in flight instead of two; the int32 sums wrap as the reference's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void One(byte* a, byte* panel, int steps, int pairedSteps, int* offsets, int* sums)
    {
        var prefetch = PanelPrefetch.ForPass();
        int s = 0;
        int* w = (int*)panel;
        Vector256<int> even0 = Vector256.Load(offsets), even1 = Vector256.Load(offsets + 8), odd0 = default, odd1 = default;
        if (TStep.PairsSteps)
        {
            for (; s + 4 <= pairedSteps; s += 4, w += 64)
            {
                prefetch.Ahead(w, 64 * sizeof(int));
                byte* x = a + s * Steps.LaneBytes;
                var x0 = Vector256.Create(Steps.Lane(x));
                var x1 = Vector256.Create(Steps.Lane(x + Steps.LaneBytes));
                var x2 = Vector256.Create(Steps.Lane(x + 2 * Steps.LaneBytes));
                var x3 = Vector256.Create(Steps.Lane(x + 3 * Steps.LaneBytes));
                even0 = TStep.DotTwo(even0, x0, Vector256.Load(w), x1, Vector256.Load(w + 16));
                even1 = TStep.DotTwo(even1, x0, Vector256.Load(w + 8), x1, Vector256.Load(w + 24));
                odd0 = TStep.DotTwo(odd0, x2, Vector256.Load(w + 32), x3, Vector256.Load(w + 48));
                odd1 = TStep.DotTwo(odd1, x2, Vector256.Load(w + 40), x3, Vector256.Load(w + 56));
            }
        }
        for (; s + 2 <= steps; s += 2, w += 32)
        {
            prefetch.Ahead(w, 32 * sizeof(int));
            var xe = Vector256.Create(Steps.Lane(a + s * Steps.LaneBytes));
            var xo = Vector256.Create(Steps.Lane(a + (s + 1) * Steps.LaneBytes));
            even0 = TStep.Dot(even0, xe, Vector256.Load(w));
            even1 = TStep.Dot(even1, xe, Vector256.Load(w + 8));
            odd0 = TStep.Dot(odd0, xo, Vector256.Load(w + 16));
            odd1 = TStep.Dot(odd1, xo, Vector256.Load(w + 24));
        }
        if (s < steps)
        {
            var xe = Vector256.Create(Steps.Lane(a + s * Steps.LaneBytes));
            even0 = TStep.Dot(even0, xe, Vector256.Load(w));
            even1 = TStep.Dot(even1, xe, Vector256.Load(w + 8));
        }
        (even0 + odd0).Store(sums);
        (even1 + odd1).Store(sums + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TForm>(in PanelRequantizer requantizer, int* sums, int rowSum, byte* y)
        where TForm : struct, IRequantizeForm =>
        requantizer.Bytes<TForm>(Vector256.Load(sums), Vector256.Load(sums + 8), rowSum).Store(y);
}
