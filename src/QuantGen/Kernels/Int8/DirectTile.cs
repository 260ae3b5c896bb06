using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// <see cref="QDirect"/>'s inner kernel over one band's output pixels: four pixels a tile, each panel's weights (two or
/// four vectors a step) shared by the four pixels' broadcasts; the steps walk each segment of the windows.
/// </summary>
/// <remarks>
/// A band is one call, its tiles and panels loops inside it, and the requantize is compiled for its
/// <typeparamref name="TForm"/>: a call per tile (its frame, the kernel's fields reloaded, a test of the epilogue's flags
/// per vector) cost the stem as much as its requantize.
/// </remarks>
internal static unsafe class DirectTile<TStep, TForm>
    where TStep : struct, IDot256
    where TForm : struct, IRequantizeForm
{
    /// <summary>
    /// The first <paramref name="pixels"/> of <paramref name="windows"/> (a band's, in output order) into
    /// <paramref name="y"/> (consecutive pixels, Cout bytes each), on <paramref name="d"/>'s panels of 16 channels:
    /// eight accumulators, requantized from registers. <paramref name="narrow"/> is 16 bytes of the caller's stack for
    /// the last panel's row when it is narrower than a panel.
    /// </summary>
    [MethodImpl(HotLoop.Compiled)]   // straight to optimized code: a few calls a pass, each long
    public static void Band(QDirect d, QDirect.BandWindows windows, int pixels, byte* y, byte* narrow)
    {
        int cout = d.Geometry.OutChannels, steps = d.SegmentSteps;
        ReadOnlySpan<int> segments = d.SegmentOffsets;
        for (int p = 0; p < pixels; p += DirectTiles.Pixels, y += DirectTiles.Pixels * cout)
        {
            // A short last tile stores only its own pixels.
            int count = windows.NextTile(pixels - p, out byte* x0, out byte* x1, out byte* x2, out byte* x3);
            byte* w = d.Panels;
            for (int c0 = 0; c0 < cout; c0 += DirectTiles.Width)
            {
                var requantizer = new PanelRequantizer(d.Epilogue, c0);
                var o0 = Vector256.Load(requantizer.Offsets);
                var o1 = Vector256.Load(requantizer.Offsets + 8);
                Vector256<int> c00 = o0, c01 = o1, c10 = o0, c11 = o1, c20 = o0, c21 = o1, c30 = o0, c31 = o1;
                foreach (int segment in segments)
                {
                    for (int s = 0, k = segment; s < steps; s++, k += Steps.LaneBytes, w += DirectTiles.Width * 4)
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
                // No weight zero points here (folded into the weights, or all 0), so no row sums.
                int columns = Math.Min(DirectTiles.Width, cout - c0);
                byte* pixel = y + c0;
                Store(requantizer.Bytes<TForm>(c00, c01, 0), pixel, columns, narrow);
                if (count > 1) Store(requantizer.Bytes<TForm>(c10, c11, 0), pixel + cout, columns, narrow);
                if (count > 2) Store(requantizer.Bytes<TForm>(c20, c21, 0), pixel + 2 * cout, columns, narrow);
                if (count > 3) Store(requantizer.Bytes<TForm>(c30, c31, 0), pixel + 3 * cout, columns, narrow);
            }
        }
    }

    /// <summary>
    /// As <see cref="Band"/> on panels of 32 channels (AVX-512VL's 32 registers): sixteen accumulators, each broadcast
    /// feeding four products; they leave the loops through <paramref name="sums"/> (sixteen vectors of the caller's stack).
    /// </summary>
    [MethodImpl(HotLoop.Compiled)]
    public static void BandWide(QDirect d, QDirect.BandWindows windows, int pixels, byte* y, Vector256<int>* sums)
    {
        int cout = d.Geometry.OutChannels, steps = d.SegmentSteps;
        ReadOnlySpan<int> segments = d.SegmentOffsets;
        for (int p = 0; p < pixels; p += DirectTiles.Pixels, y += DirectTiles.Pixels * cout)
        {
            int count = windows.NextTile(pixels - p, out byte* x0, out byte* x1, out byte* x2, out byte* x3);
            byte* w = d.Panels;
            for (int c0 = 0; c0 < cout; c0 += DirectTiles.WideWidth)
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
                    for (int s = 0, k = segment; s < steps; s++, k += Steps.LaneBytes, w += DirectTiles.WideWidth * 4)
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
                int columns = Math.Min(DirectTiles.WideWidth, cout - c0);
                var mask = PanelStore.Mask(columns);
                byte* pixel = y + c0;
                PanelStore.Write(requantizer.Bytes<TForm>(sums, 0), pixel, columns, mask);
                if (count > 1) PanelStore.Write(requantizer.Bytes<TForm>(sums + 4, 0), pixel + cout, columns, mask);
                if (count > 2) PanelStore.Write(requantizer.Bytes<TForm>(sums + 8, 0), pixel + 2 * cout, columns, mask);
                if (count > 3) PanelStore.Write(requantizer.Bytes<TForm>(sums + 12, 0), pixel + 3 * cout, columns, mask);
            }
        }
    }

    /// <summary>One pixel's 16 bytes of a panel; the last panel's first <paramref name="columns"/> through <paramref name="narrow"/>, by a loop rather than a call, around which the JIT would spill the tile's registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector128<byte> bytes, byte* y, int columns, byte* narrow)
    {
        if (columns == DirectTiles.Width)
        {
            bytes.Store(y);
            return;
        }
        bytes.Store(narrow);
        for (int c = 0; c < columns; c++) y[c] = narrow[c];
    }

    /// <summary>
    /// One step of a pixel's window on every lane: one 32-bit lane of the band (four bytes, or two values of a band
    /// widened to uint16, <see cref="QDirect.ElementBytes"/>), broadcast straight from memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Broadcast(byte* x) => Vector256.Create(Steps.Lane(x));
}

/// <summary><see cref="DirectTile{TStep, TForm}"/>'s shape, the same for every step and form.</summary>
internal static class DirectTiles
{
    /// <summary>Output pixels a tile.</summary>
    public const int Pixels = 4;

    /// <summary>Output channels a panel of <see cref="DirectTile{TStep, TForm}.Band"/>: two vectors of eight int32.</summary>
    public const int Width = 16;

    /// <summary>Output channels a panel of <see cref="DirectTile{TStep, TForm}.BandWide"/>: four vectors, sixteen accumulators.</summary>
    public const int WideWidth = 32;

    /// <summary>Vectors of stack the wide band needs for its accumulators.</summary>
    public const int WideAccumulators = Pixels * WideWidth / 8;
}
