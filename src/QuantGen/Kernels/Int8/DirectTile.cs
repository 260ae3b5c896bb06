using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// <see cref="QDirect"/>'s inner kernel: four output pixels × 16 channels a step, eight ymm accumulators, one weight
/// panel (two vectors a step) shared by the four pixels' broadcasts; the steps walk each segment of the windows.
/// </summary>
/// <param name="direct">The convolution: its geometry, packed panels, segments and epilogue.</param>
/// <param name="sums">Eight vectors of the caller's stack: the accumulators leave the loops through memory once per
/// panel, so that none of them is kept on the stack inside the loops.</param>
internal readonly unsafe struct DirectTile<TStep>(QDirect direct, Vector256<int>* sums)
    where TStep : struct, IDot256
{
    /// <summary>Output pixels a tile.</summary>
    public const int Pixels = 4;

    /// <summary>Output channels a panel: two vectors of eight int32.</summary>
    public const int Width = 16;

    /// <summary>Output channels a panel of <see cref="RunWide"/>: four vectors, sixteen accumulators (AVX-512VL's registers).</summary>
    public const int WideWidth = 32;

    /// <summary>Vectors of stack the caller provides: the wide tile's accumulators.</summary>
    public const int Accumulators = Pixels * WideWidth / 8;

    /// <summary>
    /// The pixels whose windows start at <paramref name="x0"/>…<paramref name="x3"/> in the band, into
    /// <paramref name="y"/> (consecutive pixels, Cout bytes each) for the first <paramref name="count"/> of them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // straight to optimized code: called per tile, its loops are short
    public void Run(byte* x0, byte* x1, byte* x2, byte* x3, byte* y, int count)
    {
        QDirect d = direct;
        int cout = d.Geometry.OutChannels, steps = d.SegmentSteps;
        ReadOnlySpan<int> segments = d.SegmentOffsets;
        byte* w = d.Panels;
        for (int c0 = 0; c0 < cout; c0 += Width)
        {
            var requantizer = new PanelRequantizer(d.Epilogue, c0);
            var o0 = Vector256.Load(requantizer.Offsets);
            var o1 = Vector256.Load(requantizer.Offsets + 8);
            Vector256<int> c00 = o0, c01 = o1, c10 = o0, c11 = o1, c20 = o0, c21 = o1, c30 = o0, c31 = o1;
            foreach (int segment in segments)
            {
                for (int s = 0, k = segment; s < steps; s++, k += Steps.LaneBytes, w += Width * 4)
                {
                    var w0 = Vector256.Load((int*)w);
                    var w1 = Vector256.Load((int*)w + 8);
                    var x = Broadcast(x0 + k);
                    c00 = TStep.Dot(c00, x, w0);
                    c01 = TStep.Dot(c01, x, w1);
                    x = Broadcast(x1 + k);
                    c10 = TStep.Dot(c10, x, w0);
                    c11 = TStep.Dot(c11, x, w1);
                    x = Broadcast(x2 + k);
                    c20 = TStep.Dot(c20, x, w0);
                    c21 = TStep.Dot(c21, x, w1);
                    x = Broadcast(x3 + k);
                    c30 = TStep.Dot(c30, x, w0);
                    c31 = TStep.Dot(c31, x, w1);
                }
            }
            (sums[0], sums[1], sums[2], sums[3]) = (c00, c01, c10, c11);
            (sums[4], sums[5], sums[6], sums[7]) = (c20, c21, c30, c31);
            // All four pixels requantized before any store: nothing may live across the out-of-line partial store. No
            // weight zero points here (folded into the weights, or all 0), so no row sums.
            var y0 = requantizer.Bytes(sums[0], sums[1], 0);
            var y1 = requantizer.Bytes(sums[2], sums[3], 0);
            var y2 = requantizer.Bytes(sums[4], sums[5], 0);
            var y3 = requantizer.Bytes(sums[6], sums[7], 0);
            int columns = Math.Min(Width, cout - c0);
            byte* pixel = y + c0;
            Epilogue256.Write(y0, pixel, columns);
            if (count > 1) Epilogue256.Write(y1, pixel + cout, columns);
            if (count > 2) Epilogue256.Write(y2, pixel + 2 * cout, columns);
            if (count > 3) Epilogue256.Write(y3, pixel + 3 * cout, columns);
        }
    }

    /// <summary>As <see cref="Run"/> with panels of 32 channels: sixteen accumulators, each broadcast feeding four products.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunWide(byte* x0, byte* x1, byte* x2, byte* x3, byte* y, int count)
    {
        QDirect d = direct;
        int cout = d.Geometry.OutChannels, steps = d.SegmentSteps;
        ReadOnlySpan<int> segments = d.SegmentOffsets;
        byte* w = d.Panels;
        for (int c0 = 0; c0 < cout; c0 += WideWidth)
        {
            var requantizer = new PanelRequantizer(d.Epilogue, c0);
            var o0 = Vector256.Load(requantizer.Offsets);
            var o1 = Vector256.Load(requantizer.Offsets + 8);
            var o2 = Vector256.Load(requantizer.Offsets + 16);
            var o3 = Vector256.Load(requantizer.Offsets + 24);
            Vector256<int> c00 = o0, c01 = o1, c02 = o2, c03 = o3, c10 = o0, c11 = o1, c12 = o2, c13 = o3;
            Vector256<int> c20 = o0, c21 = o1, c22 = o2, c23 = o3, c30 = o0, c31 = o1, c32 = o2, c33 = o3;
            foreach (int segment in segments)
            {
                for (int s = 0, k = segment; s < steps; s++, k += Steps.LaneBytes, w += WideWidth * 4)
                {
                    var w0 = Vector256.Load((int*)w);
                    var w1 = Vector256.Load((int*)w + 8);
                    var w2 = Vector256.Load((int*)w + 16);
                    var w3 = Vector256.Load((int*)w + 24);
                    var x = Broadcast(x0 + k);
                    (c00, c01, c02, c03) = (TStep.Dot(c00, x, w0), TStep.Dot(c01, x, w1), TStep.Dot(c02, x, w2), TStep.Dot(c03, x, w3));
                    x = Broadcast(x1 + k);
                    (c10, c11, c12, c13) = (TStep.Dot(c10, x, w0), TStep.Dot(c11, x, w1), TStep.Dot(c12, x, w2), TStep.Dot(c13, x, w3));
                    x = Broadcast(x2 + k);
                    (c20, c21, c22, c23) = (TStep.Dot(c20, x, w0), TStep.Dot(c21, x, w1), TStep.Dot(c22, x, w2), TStep.Dot(c23, x, w3));
                    x = Broadcast(x3 + k);
                    (c30, c31, c32, c33) = (TStep.Dot(c30, x, w0), TStep.Dot(c31, x, w1), TStep.Dot(c32, x, w2), TStep.Dot(c33, x, w3));
                }
            }
            (sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], sums[7]) = (c00, c01, c02, c03, c10, c11, c12, c13);
            (sums[8], sums[9], sums[10], sums[11], sums[12], sums[13], sums[14], sums[15]) = (c20, c21, c22, c23, c30, c31, c32, c33);
            var y0 = requantizer.Bytes(sums, 0);
            var y1 = requantizer.Bytes(sums + 4, 0);
            var y2 = requantizer.Bytes(sums + 8, 0);
            var y3 = requantizer.Bytes(sums + 12, 0);
            int columns = Math.Min(WideWidth, cout - c0);
            byte* pixel = y + c0;
            PanelStore.Write(y0, pixel, columns);
            if (count > 1) PanelStore.Write(y1, pixel + cout, columns);
            if (count > 2) PanelStore.Write(y2, pixel + 2 * cout, columns);
            if (count > 3) PanelStore.Write(y3, pixel + 3 * cout, columns);
        }
    }

    /// <summary>
    /// One step of a pixel's window on every lane: one 32-bit lane of the band (four bytes, or two values of a band
    /// widened to uint16, <see cref="QDirect.ElementBytes"/>), broadcast straight from memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Broadcast(byte* x) => Vector256.Create(Steps.Lane(x));
}
