using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// 4 rows × 32 columns on ymm, for machines with AVX-512VL, whose 32 vector registers hold it: sixteen accumulators,
/// one activation broadcast and four weight vectors a step. Sixteen independent chains hide <c>VPDPBUSD</c>'s latency
/// (the eight of <see cref="YmmTile4x16{TStep}"/> leave it half idle), and each broadcast feeds four products instead
/// of two. The requantize stays on ymm (<see cref="PanelRequantizer"/>).
/// </summary>
internal readonly unsafe struct YmmTile4x32<TStep> : IGemmTile
    where TStep : struct, IDot256
{
    public static int Width => 32;

    public static StepKind Kind => TStep.Kind;

    /// <summary>Whether this machine has the 32 vector registers (AVX-512VL) this tile needs to stay in registers.</summary>
    public static bool IsSupported => Avx512F.VL.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Four(byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* offsets, int* sums)
    {
        var o0 = Vector256.Load(offsets);
        var o1 = Vector256.Load(offsets + 8);
        var o2 = Vector256.Load(offsets + 16);
        var o3 = Vector256.Load(offsets + 24);
        Vector256<int> c00 = o0, c01 = o1, c02 = o2, c03 = o3;
        Vector256<int> c10 = o0, c11 = o1, c12 = o2, c13 = o3;
        Vector256<int> c20 = o0, c21 = o1, c22 = o2, c23 = o3;
        Vector256<int> c30 = o0, c31 = o1, c32 = o2, c33 = o3;
        int* w = (int*)panel, end = w + (nint)steps * 32;
        byte* p = a;   // the first row's lane; the others stride, 2·stride and 3·stride on
        nint stride3 = 3 * stride;
        for (; w < end; p += Steps.LaneBytes, w += 32)
        {
            var w0 = Vector256.Load(w);
            var w1 = Vector256.Load(w + 8);
            var w2 = Vector256.Load(w + 16);
            var w3 = Vector256.Load(w + 24);
            var x = Vector256.Create(Steps.Lane(p));
            c00 = TStep.Dot(c00, x, w0);
            c01 = TStep.Dot(c01, x, w1);
            c02 = TStep.Dot(c02, x, w2);
            c03 = TStep.Dot(c03, x, w3);
            x = Vector256.Create(Steps.Lane(p + stride));
            c10 = TStep.Dot(c10, x, w0);
            c11 = TStep.Dot(c11, x, w1);
            c12 = TStep.Dot(c12, x, w2);
            c13 = TStep.Dot(c13, x, w3);
            x = Vector256.Create(Steps.Lane(p + 2 * stride));
            c20 = TStep.Dot(c20, x, w0);
            c21 = TStep.Dot(c21, x, w1);
            c22 = TStep.Dot(c22, x, w2);
            c23 = TStep.Dot(c23, x, w3);
            x = Vector256.Create(Steps.Lane(p + stride3));
            c30 = TStep.Dot(c30, x, w0);
            c31 = TStep.Dot(c31, x, w1);
            c32 = TStep.Dot(c32, x, w2);
            c33 = TStep.Dot(c33, x, w3);
        }
        c00.Store(sums);
        c01.Store(sums + 8);
        c02.Store(sums + 16);
        c03.Store(sums + 24);
        c10.Store(sums + 32);
        c11.Store(sums + 40);
        c12.Store(sums + 48);
        c13.Store(sums + 56);
        c20.Store(sums + 64);
        c21.Store(sums + 72);
        c22.Store(sums + 80);
        c23.Store(sums + 88);
        c30.Store(sums + 96);
        c31.Store(sums + 104);
        c32.Store(sums + 112);
        c33.Store(sums + 120);
    }

    public static bool HasHalfPanels => true;

    /// <summary>
    /// <see cref="Four"/> over the panel's first 16 columns (<see cref="YmmTile4x16{TStep}"/>'s K loop on this tile's
    /// panels), for a last panel of 16 columns or fewer: the second half of each row's sums is not written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FourHalf(byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* offsets, int* sums) =>
        YmmTile4x16<TStep>.FirstSixteen(a, stride, panel, steps, pairedSteps, offsets, sums, Width);

    /// <summary>Even and odd steps go to separate accumulators, so eight dot products are in flight; the int32 sums wrap as the reference's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void One(byte* a, byte* panel, int steps, int pairedSteps, int* offsets, int* sums)
    {
        var prefetch = PanelPrefetch.ForPass();
        int s = 0;
        int* w = (int*)panel;
        Vector256<int> even0 = Vector256.Load(offsets), even1 = Vector256.Load(offsets + 8);
        Vector256<int> even2 = Vector256.Load(offsets + 16), even3 = Vector256.Load(offsets + 24);
        Vector256<int> odd0 = default, odd1 = default, odd2 = default, odd3 = default;
        for (; s + 2 <= steps; s += 2, w += 64)
        {
            prefetch.Ahead(w, 64 * sizeof(int));
            var xe = Vector256.Create(Steps.Lane(a + s * Steps.LaneBytes));
            var xo = Vector256.Create(Steps.Lane(a + (s + 1) * Steps.LaneBytes));
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
            var xe = Vector256.Create(Steps.Lane(a + s * Steps.LaneBytes));
            even0 = TStep.Dot(even0, xe, Vector256.Load(w));
            even1 = TStep.Dot(even1, xe, Vector256.Load(w + 8));
            even2 = TStep.Dot(even2, xe, Vector256.Load(w + 16));
            even3 = TStep.Dot(even3, xe, Vector256.Load(w + 24));
        }
        (even0 + odd0).Store(sums);
        (even1 + odd1).Store(sums + 8);
        (even2 + odd2).Store(sums + 16);
        (even3 + odd3).Store(sums + 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TForm>(in PanelRequantizer requantizer, int* sums, int rowSum, byte* y)
        where TForm : struct, IRequantizeForm =>
        requantizer.Bytes<TForm>((Vector256<int>*)sums, rowSum).Store(y);
}
