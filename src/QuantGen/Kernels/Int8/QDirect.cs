using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// A direct convolution for few input channels (a network's stem: MobileNetV2's 1 → 32, 3×3, stride 2) on
/// channels-last data: a small GEMM whose rows are output pixels, read in place from a zero-point-padded copy of the
/// input rows (a band). A window is a few contiguous segments (one per kernel row; one per tap when dilated across),
/// taken in steps of 4 values (VNNI) or 2 (int16 pairs, from a band widened to uint16) against weights packed the same way and zero past each segment's
/// end; <see cref="DirectTile{TStep, TForm}"/> computes 4 pixels × 16 or 32 channels at once:
/// <c>acc[c] = Offsets[c] + Σ_k x_k·w'_k[c]</c>, <c>Offsets[c] = bias[c] − z_in·Σ_k w'_k[c]</c>, with <c>w' = w − z_w</c>.
/// </summary>
/// <remarks>
/// A byte read past a segment's end meets a zero weight, so it adds 0 whatever it holds; the band ends with zeroed
/// slack so those reads stay inside it. Padding the band costs a copy of each input row per band (the whole 28×28 image
/// at once for the stem), far less than gathering the border windows.
/// <para>Exactness: with VNNI (<see cref="VnniQuad"/>, chosen only when every weight zero point is 0, so <c>w' = w</c> is
/// an s8) four u8·s8 products sum into int32 without saturation. Otherwise (<see cref="WidePair"/>) two int16 products
/// of u8 and <c>w'</c> ∈ [−255, 255] are summed by <c>vpmaddwd</c>: at most 2·255·255 &lt; 2³¹. The int32 sums wrap
/// as the reference's. Replaces im2col + GEMM, whose packing and row sums cost more than the 9 products of a 1-channel tap.</para>
/// </remarks>
internal sealed unsafe class QDirect
{
    /// <summary>The most input channels this kernel takes; wider inputs go through im2col and the GEMM.</summary>
    public const int MaxInputChannels = 4;

    /// <summary>The longest receptive field (Cin·kH·kW) taken.</summary>
    public const int MaxDepth = 1024;

    /// <summary>The band of padded input rows lives on the stack up to this size, else in a rented array.</summary>
    private const int StackBandBytes = 16384;

    /// <summary>Zeroed bytes after the band: the most a step reads past a segment's last tap.</summary>
    private const int Slack = 4;

    private readonly ConvGeometry g;
    private readonly PinnedBuffer<byte> panels;
    private readonly int[] segmentOffsets;
    private readonly byte zeroPoint;

    /// <summary>Packs <paramref name="weight"/>, [Cout, kH, kW, Cin]: the order of one receptive field over NHWC input.</summary>
    public QDirect(
        in ConvGeometry geometry, ReadOnlySpan<sbyte> weight, WeightQParams weightQ, ReadOnlySpan<int> bias,
        ActivationQParams inputQ, ActivationQParams outputQ, OutputRange range, Int8KernelPath path)
    {
        g = geometry;
        zeroPoint = (byte)inputQ.ZeroPoint;
        bool symmetric = true;
        for (int c = 0; c < g.OutChannels; c++) symmetric &= weightQ.ZeroPoint(c) == 0;
        Kind = path == Int8KernelPath.AvxVnni && symmetric ? StepKind.Quad : StepKind.Pair;
        // Without dilation across, a kernel row is one contiguous segment; with it, each tap is its own.
        SegmentTaps = g.DilationWidth == 1 ? g.KernelWidth : 1;
        SegmentSteps = (SegmentTaps * g.InChannels + Steps.Size(Kind) - 1) / Steps.Size(Kind);
        ElementBytes = Kind == StepKind.Pair ? 2 : 1;
        Pitch = (g.InWidth + 2 * g.PadWidth) * g.InChannels * ElementBytes;
        segmentOffsets = new int[g.KernelHeight * (g.KernelWidth / SegmentTaps)];
        for (int j = 0; j < segmentOffsets.Length; j++)
        {
            int ky = j / (g.KernelWidth / SegmentTaps), kx = j % (g.KernelWidth / SegmentTaps) * SegmentTaps;
            segmentOffsets[j] = ky * g.DilationHeight * Pitch + kx * g.DilationWidth * g.InChannels * ElementBytes;
        }
        // 32 channels a tile where the registers (and the masked byte stores) allow it: each broadcast then feeds four
        // products instead of two. The AVX2 path keeps 16, as on a machine without AVX-512, so that forcing it covers
        // that kernel.
        bool wide = path != Int8KernelPath.Avx2 && Avx512BW.VL.IsSupported && g.OutChannels > DirectTiles.Width;
        PanelWidth = wide ? DirectTiles.WideWidth : DirectTiles.Width;
        Epilogue = new Epilogue(g.OutChannels, inputQ.Scale, weightQ, outputQ, range, needsWeightZeroPoints: false);
        panels = Pack(weight, weightQ, out int[] sums);
        Span<int> offsets = Epilogue.OffsetSpan;
        for (int c = 0; c < g.OutChannels; c++)
        {
            unchecked { offsets[c] = (bias.IsEmpty ? 0 : bias[c]) - inputQ.ZeroPoint * sums[c]; }
        }
    }

    public static bool Supports(in ConvGeometry g, Int8KernelPath path) =>
        g.Groups == 1 && g.InChannels <= MaxInputChannels && !g.IsPointwise
        && g.InChannels * g.KernelHeight * g.KernelWidth <= MaxDepth && path is Int8KernelPath.Avx2 or Int8KernelPath.Avx512BW or Int8KernelPath.AvxVnni;

    public ConvGeometry Geometry => g;

    public StepKind Kind { get; }

    /// <summary>Taps per contiguous segment of a window: the kernel's width, or 1 when dilated across.</summary>
    public int SegmentTaps { get; }

    /// <summary>Steps per segment: its <c>taps·Cin</c> bytes in steps of 4 (quad) or 2 (pair), rounded up.</summary>
    public int SegmentSteps { get; }

    /// <summary>
    /// Bytes a band holds per input value: 1, or 2 for <see cref="StepKind.Pair"/>, whose band is widened to uint16 once
    /// as it is filled, so that every step's pair of values is one 32-bit broadcast from memory (a step of either kind
    /// reads 4 bytes) instead of two byte loads, a shift, an or and a move per pixel.
    /// </summary>
    public int ElementBytes { get; }

    /// <summary>Where each segment starts in the band, in bytes from the window's first.</summary>
    public ReadOnlySpan<int> SegmentOffsets => segmentOffsets;

    /// <summary>Bytes of one padded input row in the band (<see cref="ElementBytes"/> a value).</summary>
    public int Pitch { get; }

    /// <summary>Output channels a packed panel: 16, or 32 on machines with AVX-512VL's 32 vector registers.</summary>
    public int PanelWidth { get; }

    /// <summary>[panel][segment][step][channel in panel][32-bit slot]: 4 s8 weights or 2 int16 <c>w − z_w</c> a slot.</summary>
    public byte* Panels => panels.Pointer;

    public Epilogue Epilogue { get; }

    /// <summary>Output [batch, OH, OW, Cout] from input [batch, H, W, Cin].</summary>
    [SkipLocalsInit]   // Fill writes every band byte that is read
    public void Run(byte* input, byte* output, int batch)
    {
        // Output rows per band: as many as fit the stack budget, at least one.
        int span = (g.KernelHeight - 1) * g.DilationHeight + 1, outHeight = g.OutHeight;
        int bandRows = Math.Clamp((StackBandBytes / Pitch - span) / g.StrideHeight + 1, 1, outHeight);
        int bandBytes = ((bandRows - 1) * g.StrideHeight + span) * Pitch + Slack;
        if (bandBytes <= StackBandBytes + Slack)
        {
            byte* band = stackalloc byte[bandBytes];   // on the stack: runs on several threads share one instance
            Run(input, output, batch, band, bandRows);
            return;
        }
        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(bandBytes);
        try
        {
            fixed (byte* band = rented) Run(input, output, batch, band, bandRows);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Run(byte* input, byte* output, int batch, byte* band, int bandRows)
    {
        if (Kind == StepKind.Quad) Bands<VnniQuad>(input, output, batch, band, bandRows);
        else Bands<WidePair>(input, output, batch, band, bandRows);
    }

    private void Bands<TStep>(byte* input, byte* output, int batch, byte* band, int bandRows)
        where TStep : struct, IDot256
    {
        RequantizeForm form = RequantizeForms.Of(Epilogue);
        switch (form)
        {
            case RequantizeForm.ZeroBasedFloatBits: Bands<TStep, ZeroBasedFloatBitsRequantize>(input, output, batch, band, bandRows); break;
            case RequantizeForm.ZeroBased: Bands<TStep, ZeroBasedRequantize>(input, output, batch, band, bandRows); break;
            case RequantizeForm.FullRange: Bands<TStep, FullRangeRequantize>(input, output, batch, band, bandRows); break;
            case RequantizeForm.Plain: Bands<TStep, PlainRequantize>(input, output, batch, band, bandRows); break;
            case RequantizeForm.Any: Bands<TStep, AnyRequantize>(input, output, batch, band, bandRows); break;
            default: throw RequantizeForms.Unhandled(form);
        }
    }

    [SkipLocalsInit]   // the wide tile's sums and the narrow row are written before they are read
    private void Bands<TStep, TForm>(byte* input, byte* output, int batch, byte* band, int bandRows)
        where TStep : struct, IDot256
        where TForm : struct, IRequantizeForm
    {
        int outHeight = g.OutHeight, outWidth = g.OutWidth, cout = g.OutChannels;
        long imageBytes = (long)g.InHeight * g.InWidth * g.InChannels;
        Vector256<int>* sums = stackalloc Vector256<int>[DirectTiles.WideAccumulators];
        byte* narrow = stackalloc byte[DirectTiles.Width];
        for (int n = 0; n < batch; n++)
        {
            for (int oy0 = 0; oy0 < outHeight; oy0 += bandRows)
            {
                int rows = Math.Min(bandRows, outHeight - oy0), pixels = rows * outWidth;
                Fill(input + n * imageBytes, oy0, rows, band);
                byte* y = output + (((long)n * outHeight + oy0) * outWidth) * cout;
                var windows = new BandWindows(band, outWidth, g.StrideHeight * Pitch, g.StrideWidth * g.InChannels * ElementBytes);
                if (PanelWidth == DirectTiles.WideWidth) DirectTile<TStep, TForm>.BandWide(this, windows, pixels, y, sums);
                else DirectTile<TStep, TForm>.Band(this, windows, pixels, y, narrow);
            }
        }
    }

    /// <summary>The padded input rows of output rows [oy0, oy0 + rows): the zero point outside the image, then zeroed slack.</summary>
    [MethodImpl(HotLoop.Compiled)]   // called once per band: its unoptimized first tier would cost as much as the tiles
    private void Fill(byte* image, int oy0, int rows, byte* band)
    {
        if (ElementBytes == 2) FillRows<ushort>(image, oy0, rows, band);
        else FillRows<byte>(image, oy0, rows, band);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FillRows<TValue>(byte* image, int oy0, int rows, byte* band)
        where TValue : unmanaged, System.Numerics.IUnsignedNumber<TValue>, System.Numerics.INumberBase<TValue>
    {
        int cin = g.InChannels, count = (rows - 1) * g.StrideHeight + (g.KernelHeight - 1) * g.DilationHeight + 1;
        int left = g.PadWidth * cin, inside = g.InWidth * cin, width = Pitch / sizeof(TValue);
        TValue pad = TValue.CreateTruncating(zeroPoint);
        TValue* values = (TValue*)band;
        for (int r = 0, iy = oy0 * g.StrideHeight - g.PadHeight; r < count; r++, iy++, values += width)
        {
            var row = new Span<TValue>(values, width);
            if ((uint)iy >= (uint)g.InHeight)
            {
                row.Fill(pad);
                continue;
            }
            row.Slice(0, left).Fill(pad);
            Copy(new ReadOnlySpan<byte>(image + (long)iy * inside, inside), row.Slice(left, inside));
            row.Slice(left + inside).Fill(pad);
        }
        new Span<byte>(values, Slack).Clear();
    }

    /// <summary>Input bytes into band values, zero-extended when the band is widened.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]   // into Fill's optimized code: on its own it ran unoptimized for a while
    private static void Copy<TValue>(ReadOnlySpan<byte> source, Span<TValue> destination)
        where TValue : unmanaged, System.Numerics.INumberBase<TValue>
    {
        if (typeof(TValue) == typeof(byte))
        {
            source.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<TValue, byte>(destination));
            return;
        }
        fixed (byte* from = source)
        fixed (TValue* to = destination) RowWidening.ToUInt16(from, (ushort*)to, source.Length);
    }

    private PinnedBuffer<byte> Pack(ReadOnlySpan<sbyte> weight, WeightQParams weightQ, out int[] sums)
    {
        int cout = g.OutChannels, cin = g.InChannels, depth = g.KernelHeight * g.KernelWidth * cin, size = Steps.Size(Kind);
        int segments = segmentOffsets.Length, segmentBytes = SegmentTaps * cin, width = PanelWidth, panelBytes = segments * SegmentSteps * width * 4;
        var packed = new PinnedBuffer<byte>(Epilogue.PaddedLength(cout) / width * panelBytes);
        sums = new int[cout];
        for (int c = 0; c < cout; c++)
        {
            byte* panel = packed.Pointer + (long)(c / width) * panelBytes;
            for (int j = 0; j < segments; j++)
            {
                for (int r = 0; r < segmentBytes; r++)
                {
                    // Segment j holds taps j·SegmentTaps… of the flattened (ky, kx), channel-minor.
                    int w = weight[c * depth + j * segmentBytes + r] - weightQ.ZeroPoint(c);
                    byte* slot = panel + ((j * SegmentSteps + r / size) * width + c % width) * 4;
                    if (Kind == StepKind.Quad) ((sbyte*)slot)[r % size] = (sbyte)w;
                    else ((short*)slot)[r % size] = (short)w;
                    sums[c] += w;
                }
            }
        }
        return packed;
    }

    /// <summary>The first byte of each output pixel's window in the band, in output order, without a division per pixel.</summary>
    internal struct BandWindows(byte* band, int outWidth, int rowStep, int pixelStep)
    {
        private byte* row = band;
        private int ox;

        public byte* Next()
        {
            byte* window = row + ox * pixelStep;
            if (++ox == outWidth)
            {
                ox = 0;
                row += rowStep;
            }
            return window;
        }

        /// <summary>The next tile's windows, up to four: a short last tile repeats its last one. Returns how many are its own.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int NextTile(int remaining, out byte* x0, out byte* x1, out byte* x2, out byte* x3)
        {
            int count = Math.Min(DirectTiles.Pixels, remaining);
            x0 = Next();
            x1 = count > 1 ? Next() : x0;
            x2 = count > 2 ? Next() : x1;
            x3 = count > 3 ? Next() : x2;
            return count;
        }
    }
}
