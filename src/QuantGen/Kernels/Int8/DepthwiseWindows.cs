using System.Runtime.CompilerServices;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// Which taps of a depthwise window lie inside the image, by window class. Every output row has a range of kernel
/// rows inside the image (all of them away from the top and bottom), every output column a range of kernel columns;
/// a window's class is its pair of ranges. A class lists only its inside taps, so the kernels never touch padding:
/// on a 1×1 image a 3×3, padding-1 window is one tap, not nine. Outputs at least
/// <see cref="DepthwiseQuads.MinPaddedRowWidth"/> wide are the exception where a kernel slides whole padded rows
/// (<see cref="DepthwiseTables.PadRow"/>): there the border windows cost more one by one than their padding's products.
/// </summary>
/// <remarks>
/// Ranges are contiguous because a tap's input row <c>oy·s − p + ky·d</c> grows with <c>ky</c>. Equal ranges share a
/// class, so a 3×3, padding-1 layer has at most nine classes whatever the image size. Built once per layer; the kernels
/// only read it, so one layer can run on several threads.
/// </remarks>
internal sealed unsafe class DepthwiseWindows
{
    private readonly ConvGeometry g;
    private readonly PinnedBuffer<int> rowClass, columnClass;
    private readonly PinnedBuffer<DepthwiseClass> classes;
    private readonly PinnedBuffer<long> tapInputs, pairInputs, quadInputs;
    private readonly PinnedBuffer<int> tapWeights;
    private readonly int wholeRowClass, wholeColumnLow, wholeColumnHigh;

    public DepthwiseWindows(in ConvGeometry geometry)
    {
        g = geometry;
        var rows = Ranges(g.InHeight, g.OutHeight, g.KernelHeight, g.StrideHeight, g.PadHeight, g.DilationHeight, out rowClass);
        var columns = Ranges(g.InWidth, g.OutWidth, g.KernelWidth, g.StrideWidth, g.PadWidth, g.DilationWidth, out columnClass);
        ColumnClassCount = columns.Count;
        // Output rows and columns whose taps are all inside: those with the range [0, kernel).
        wholeRowClass = rows.IndexOf((0, g.KernelHeight));
        int wholeColumnClass = columns.IndexOf((0, g.KernelWidth));
        wholeColumnLow = g.OutWidth;
        for (int ox = 0; ox < g.OutWidth; ox++)
        {
            if (columnClass.Span[ox] != wholeColumnClass) continue;
            wholeColumnLow = Math.Min(wholeColumnLow, ox);
            wholeColumnHigh = ox + 1;
        }
        classes = new PinnedBuffer<DepthwiseClass>(rows.Count * columns.Count);
        int tapCount = 0, pairCount = 0, quadCount = 0;
        foreach (var (rowLow, rowHigh) in rows)
        {
            foreach (var (columnLow, columnHigh) in columns)
            {
                int count = (rowHigh - rowLow) * (columnHigh - columnLow);
                tapCount += count;
                pairCount += (count + 1) / 2;
                quadCount += (count + 3) / 4;
            }
        }
        tapInputs = new PinnedBuffer<long>(Math.Max(1, tapCount));
        tapWeights = new PinnedBuffer<int>(Math.Max(1, tapCount));
        pairInputs = new PinnedBuffer<long>(Math.Max(1, 2 * pairCount));
        quadInputs = new PinnedBuffer<long>(Math.Max(1, 4 * quadCount));
        int k = 0, next = 0, pair = 0, quad = 0, padded = Epilogue.PaddedLength(g.InChannels);
        foreach (var (rowLow, rowHigh) in rows)
        {
            foreach (var (columnLow, columnHigh) in columns)
            {
                int count = (rowHigh - rowLow) * (columnHigh - columnLow);
                classes.Span[k] = new DepthwiseClass(next, count, k * padded, pair, quad);
                k++;
                for (int ky = rowLow; ky < rowHigh; ky++)
                {
                    for (int kx = columnLow; kx < columnHigh; kx++, next++)
                    {
                        tapWeights.Span[next] = (ky * g.KernelWidth + kx) * padded;
                        tapInputs.Span[next] = ((long)ky * g.DilationHeight * g.InWidth + kx * g.DilationWidth) * g.InChannels;
                    }
                }
                ReadOnlySpan<long> inside = tapInputs.Span.Slice(next - count, count);
                pair += Group(inside, pairInputs.Span, pair, 2);
                quad += Group(inside, quadInputs.Span, quad, 4);
            }
        }
    }

    public int ClassCount => classes.Length;

    public int ColumnClassCount { get; }

    public ReadOnlySpan<DepthwiseClass> Classes => classes.Span;

    /// <summary>Byte offsets of each class's inside taps from the window's corner (tap 0,0), channels included.</summary>
    public long* TapInputs => tapInputs.Pointer;

    /// <summary>
    /// Where each inside tap's row starts in the layer's tap-major weight tables, in the order of <see cref="TapInputs"/>:
    /// the kernel index <c>ky·KW + kx</c> times the padded channel count.
    /// </summary>
    public int* TapWeights => tapWeights.Pointer;

    public ReadOnlySpan<int> TapWeightSpan => tapWeights.Span;

    /// <summary>
    /// <see cref="TapInputs"/> in pairs for kernels that take two taps at a time: each class's taps from entry
    /// <c>2·PairStart</c>, the last one repeated when the count is odd (its partner's weight is zero).
    /// </summary>
    public long* PairInputs => pairInputs.Pointer;

    /// <summary>As <see cref="PairInputs"/> in fours, from entry <c>4·QuadStart</c>, the last tap repeated up to a whole four.</summary>
    public long* QuadInputs => quadInputs.Pointer;

    /// <summary>
    /// Calls <typeparamref name="TPixel"/> once per output pixel, in NHWC order, with the window's corner (which may lie
    /// outside the image; only inside taps are read) and its class; or, for a kernel that slides along rows, once per
    /// run of whole windows in a row. The kernel is a type argument, so the JIT compiles one loop per path with the pixel
    /// inlined and no switch per pixel.
    /// </summary>
    /// <remarks>
    /// Compiled fully optimized at once, not through tiered compilation: with dynamic PGO the JIT shaped this loop by the
    /// first calls it profiled, and in the 224×224 pass the single pixels of the 14×14 and 7×7 layers then ran 2.3× slower
    /// than with PGO off (the whole pass 5.39 against 4.92 ms on Zen 3).
    /// </remarks>
    [MethodImpl(HotLoop.Compiled)]
    public void Walk<TPixel>(in DepthwiseTables tables, byte* input, byte* output, int batch)
        where TPixel : struct, IDepthwisePixel
    {
        int channels = g.InChannels, outHeight = g.OutHeight, outWidth = g.OutWidth, classCount = ColumnClassCount;
        long imageBytes = (long)g.InHeight * g.InWidth * channels, rowBytes = (long)g.InWidth * channels;
        long columnStep = (long)g.StrideWidth * channels, firstColumn = -(long)g.PadWidth * channels;
        int* rowOf = rowClass.Pointer, columnOf = columnClass.Pointer;
        DepthwiseClass* classOf = classes.Pointer;
        DepthwiseTables t = tables;   // a local copy the JIT can keep in registers
        bool slides = TPixel.SlidesAlongRows && t.Slides && wholeColumnHigh > wholeColumnLow;
        bool paddedRows = TPixel.SlidesPaddedRows && t.PadRow != null;
        for (int n = 0; n < batch; n++)
        {
            byte* image = input + n * imageBytes;
            if (paddedRows)
            {
                SlidePaddedRows<TPixel>(t, image, output);
                output += (long)outHeight * outWidth * channels;
                continue;
            }
            for (int oy = 0; oy < outHeight; oy++)
            {
                byte* corner = image + (long)(oy * g.StrideHeight - g.PadHeight) * rowBytes + firstColumn;
                DepthwiseClass* row = classOf + rowOf[oy] * classCount;
                bool whole = slides && rowOf[oy] == wholeRowClass;
                for (int ox = 0; ox < outWidth; ox++, corner += columnStep, output += channels)
                {
                    if (whole && ox == wholeColumnLow)
                    {
                        int count = wholeColumnHigh - wholeColumnLow;
                        TPixel.Slide(t, corner, row + columnOf[ox], output, count);
                        ox += count - 1;
                        corner += (count - 1) * columnStep;
                        output += (count - 1) * channels;
                        continue;
                    }
                    TPixel.Run(t, corner, row + columnOf[ox], output);
                }
            }
        }
    }

    /// <summary>
    /// One image's output rows, each a single padded slide (<see cref="IDepthwisePixel.SlidePaddedRow"/>): with padding 1,
    /// a window's middle row is always inside the image, its top and bottom rows may be the pad row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SlidePaddedRows<TPixel>(in DepthwiseTables t, byte* image, byte* output)
        where TPixel : struct, IDepthwisePixel
    {
        long rowBytes = (long)g.InWidth * g.InChannels, outputRow = (long)g.OutWidth * g.InChannels;
        // The last window's right column is ox·s + 1 for ox = OW − 1: the pad's where that is past the image.
        bool rightPad = (g.OutWidth - 1) * g.StrideWidth + 1 >= g.InWidth;
        int oy = 0;
        if (TPixel.SlidesRowPairs && t.LowerColumnWeights != null)
        {
            // Stride 1: output rows oy and oy + 1 read input rows oy − 1 … oy + 2, the first and last of which may be the pad.
            for (; oy + 1 < g.OutHeight; oy += 2, output += 2 * outputRow)
            {
                byte* top = oy > 0 ? image + (oy - 1) * rowBytes : t.PadRow;
                byte* second = image + oy * rowBytes, third = second + rowBytes;
                byte* fourth = oy + 2 < g.InHeight ? third + rowBytes : t.PadRow;
                TPixel.SlidePaddedRowPair(t, top, new PairRows(second - top, third - top, fourth - top), output, outputRow, g.OutWidth);
            }
        }
        for (; oy < g.OutHeight; oy++, output += outputRow)
        {
            int iy = oy * g.StrideHeight - 1;
            byte* top = iy >= 0 ? image + iy * rowBytes : t.PadRow;
            byte* middle = image + (iy + 1) * rowBytes;
            byte* bottom = iy + 2 < g.InHeight ? image + (iy + 2) * rowBytes : t.PadRow;
            TPixel.SlidePaddedRow(t, top, new WindowRows(middle - top, bottom - top), output, g.OutWidth, rightPad);
        }
    }

    /// <summary>One class's taps as groups of <paramref name="size"/> from group <paramref name="start"/>, the last tap repeated to fill the last group; returns the group count.</summary>
    private static int Group(ReadOnlySpan<long> taps, Span<long> groups, int start, int size)
    {
        int count = (taps.Length + size - 1) / size;
        for (int i = 0; i < count * size; i++) groups[start * size + i] = taps[Math.Min(i, taps.Length - 1)];
        return count;
    }

    /// <summary>For each output position along one axis, the kernel positions inside the input, as a class number into the distinct ranges.</summary>
    private static List<(int Low, int High)> Ranges(int size, int outSize, int kernel, int stride, int pad, int dilation, out PinnedBuffer<int> classOf)
    {
        var ranges = new List<(int Low, int High)>();
        classOf = new PinnedBuffer<int>(Math.Max(1, outSize));
        for (int o = 0; o < outSize; o++)
        {
            int low = 0, high = 0, first = o * stride - pad;
            while (low < kernel && first + low * dilation < 0) low++;
            high = low;
            while (high < kernel && first + high * dilation < size) high++;
            if (low == high) (low, high) = (0, 0);
            int index = ranges.IndexOf((low, high));
            if (index < 0)
            {
                index = ranges.Count;
                ranges.Add((low, high));
            }
            classOf.Span[o] = index;
        }
        return ranges;
    }
}

/// <summary>
/// One window class: its inside taps are entries <c>[TapStart, TapStart + TapCount)</c> of the tap lists, its pairs and
/// fours of taps start at groups <c>PairStart</c> and <c>QuadStart</c> of theirs, and its per-channel offsets start at
/// <c>Offsets</c> in the layer's tables (one padded row of channels per class).
/// </summary>
internal readonly record struct DepthwiseClass(int TapStart, int TapCount, int Offsets, int PairStart, int QuadStart)
{
    public int PairCount => (TapCount + 1) / 2;

    public int QuadCount => (TapCount + 3) / 4;
}

/// <summary>One output pixel of a depthwise kernel path, given its window's corner and class.</summary>
internal unsafe interface IDepthwisePixel
{
    /// <summary>Whether <see cref="Slide"/> may take runs of whole windows along a row (when the tables allow it).</summary>
    static virtual bool SlidesAlongRows => false;

    static abstract void Run(in DepthwiseTables tables, byte* corner, DepthwiseClass* window, byte* y);

    /// <summary><paramref name="count"/> neighbouring output pixels of one row, all whole windows of class <paramref name="window"/>.</summary>
    static virtual void Slide(in DepthwiseTables tables, byte* corner, DepthwiseClass* window, byte* y, int count) =>
        throw new NotSupportedException();

    /// <summary>Whether <see cref="SlidePaddedRow"/> may take whole output rows (where the tables have a <see cref="DepthwiseTables.PadRow"/>).</summary>
    static virtual bool SlidesPaddedRows => false;

    /// <summary>One whole output row of <paramref name="count"/> pixels from window rows at <paramref name="top"/> and <paramref name="rows"/> (<see cref="DepthwiseQuads.SlidePaddedRow{TDot}"/>).</summary>
    static virtual void SlidePaddedRow(in DepthwiseTables tables, byte* top, WindowRows rows, byte* y, int count, bool rightPad) =>
        throw new NotSupportedException();

    /// <summary>Whether <see cref="SlidePaddedRowPair"/> may take two output rows at once (where the tables have <see cref="DepthwiseTables.LowerColumnWeights"/>).</summary>
    static virtual bool SlidesRowPairs => false;

    /// <summary>Output rows at <paramref name="y"/> and <paramref name="outputRow"/> bytes on, from four input rows (<see cref="DepthwiseQuads.SlidePaddedRowPair{TDot}"/>).</summary>
    static virtual void SlidePaddedRowPair(in DepthwiseTables tables, byte* top, PairRows rows, byte* y, long outputRow, int count) =>
        throw new NotSupportedException();
}
