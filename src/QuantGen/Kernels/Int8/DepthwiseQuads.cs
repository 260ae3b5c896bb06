using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The four-taps-a-lane layout of the 256-bit depthwise kernels (<see cref="DepthwiseVnni"/>, <see cref="DepthwiseMaddubs"/>):
/// byte and word unpacks gather each channel's tap bytes into one int32 lane, a step
/// (<see cref="IDot256"/>) adds their u8×s8 products to it, and the requantize's packs put the lanes back in channel order.
/// </summary>
/// <remarks>
/// The unpacks leave accumulator k with channels <c>4k..4k+3</c> and <c>16+4k..16+4k+3</c> (see <see cref="QuadOrder"/>);
/// the packs, also in-lane, undo exactly that. All on 256-bit registers, whose in-lane shuffles issue on two ports.
/// </remarks>
internal static unsafe class DepthwiseQuads
{
    /// <summary>Where channel <paramref name="c"/>'s accumulator lane lies within its 32-channel chunk, in the unpacks' order.</summary>
    public static int QuadOrder(int c) => (c & ~31) | (c & 15) >> 2 << 3 | (c & 16) >> 2 | (c & 3);

    /// <summary>
    /// The AVX-512BW slide's order: within each of the <paramref name="wide"/> channels' 64-channel chunks, the unpacks
    /// leave accumulator k with channels <c>16L + 4k..16L + 4k + 3</c> in 128-bit lane L; channels from
    /// <paramref name="wide"/> on keep <see cref="QuadOrder"/>.
    /// </summary>
    public static int WideOrder(int c, int wide) =>
        c < wide ? (c & ~63) | (c & 15) >> 2 << 4 | (c & 48) >> 4 << 2 | (c & 3) : QuadOrder(c);

    /// <summary>The channels the AVX-512BW slide takes 64 at a time: the whole chunks of <paramref name="channels"/>.</summary>
    public static int WideChannels(int channels) => channels & ~63;

    /// <summary>
    /// Whether <see cref="Slide{TDot}"/> applies: a 3×3 kernel whose next output column's window is this one's shifted by
    /// one or two input columns (column stride 1 or 2, dilation 1).
    /// </summary>
    public static bool CanSlide(in ConvGeometry g) =>
        g.KernelHeight == 3 && g.KernelWidth == 3 && g.StrideWidth is 1 or 2 && g.DilationWidth == 1;

    /// <summary>
    /// Output rows at least this wide slide whole, borders included; narrower ones keep their border pixels' own
    /// windows. MNIST's 4×4 layers took 0.80–0.83 of their time slid whole (batch 64), its 2×2 ones 1.25–1.3 (a window
    /// there has four taps inside, and the slide takes all nine).
    /// </summary>
    public const int MinPaddedRowWidth = 4;

    /// <summary>
    /// Whether every output row may slide whole over padded rows (<see cref="SlidePaddedRow{TDot}"/>): a sliding 3×3
    /// kernel with padding 1 and dilation 1 on both axes, whose outputs are at least <see cref="MinPaddedRowWidth"/> wide.
    /// </summary>
    public static bool CanSlidePaddedRows(in ConvGeometry g) =>
        CanSlide(g) && g.DilationHeight == 1 && g.PadHeight == 1 && g.PadWidth == 1 && g.OutWidth >= MinPaddedRowWidth;

    /// <summary>
    /// Whether output rows may slide whole in pairs (<see cref="SlidePaddedRowPair{TDot}"/>, on vpdpbusd and vpmaddubsw): padded rows at stride 1 down
    /// and across, where two neighbouring output rows' windows share two of their three input rows.
    /// </summary>
    public static bool CanSlideRowPairs(in ConvGeometry g) => CanSlidePaddedRows(g) && g.StrideHeight == 1 && g.StrideWidth == 1;

    /// <summary>The channels the four-tap lanes can take of <paramref name="channels"/>: whole 32-channel chunks, and the rest with masked loads.</summary>
    public static int QuadChannels(int channels) => Avx512BW.VL.IsSupported ? channels : channels & ~31;

    /// <summary>
    /// One output pixel of any window class, channels [0, <paramref name="channels"/>) (see <see cref="QuadChannels"/>):
    /// the class's inside taps four at a time (<see cref="DepthwiseWindows.QuadInputs"/>, the last four padded with a
    /// repeated tap against zero weights), against <see cref="DepthwisePacking.QuadWeights"/>.
    /// </summary>
    /// <remarks>
    /// Compiled for the layer's requantize form (<see cref="SlideInForm{TDot, TForm}"/>), as a call of its own (the border
    /// pixels' path): inlined into the window walk beside the slides, it left the JIT's inlining budget short, and its own
    /// helpers became calls.
    /// </remarks>
    public static void Pixel<TDot>(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int channels)
        where TDot : IDot256
    {
        switch (t.Form)
        {
            case RequantizeForm.ZeroBased: PixelInForm<TDot, ZeroBasedRequantize>(t, corner, window, y, channels); break;
            case RequantizeForm.FullRange: PixelInForm<TDot, FullRangeRequantize>(t, corner, window, y, channels); break;
            case RequantizeForm.Plain: PixelInForm<TDot, PlainRequantize>(t, corner, window, y, channels); break;
            case RequantizeForm.Any: PixelInForm<TDot, AnyRequantize>(t, corner, window, y, channels); break;
            default: throw RequantizeForms.Unhandled(t.Form);
        }
    }

    [MethodImpl(HotLoop.Compiled)]
    private static void PixelInForm<TDot, TForm>(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int channels)
        where TDot : IDot256
        where TForm : struct, IRequantizeForm
    {
        long* quads = t.QuadInputs + 4 * window->QuadStart;
        int* offsets = t.QuadOffsets + window->Offsets;
        int quadCount = window->QuadCount, c = 0;
        sbyte* w = t.QuadWeights + 4L * window->QuadStart * t.PaddedChannels;
        // Each chunk's requantize is issued after the next chunk's sums (see Slide).
        Vector256<int> p0 = default, p1 = default, p2 = default, p3 = default;
        for (; c + 32 <= channels; c += 32, w += quadCount * 128)
        {
            Accumulate<TDot>(corner + c, quads, quadCount, w, offsets + c, false, default, out var a0, out var a1, out var a2, out var a3);
            if (c > 0) Requantize<TForm>(t, p0, p1, p2, p3, t.QuadMultipliers + c - 32).Store(y + c - 32);
            (p0, p1, p2, p3) = (a0, a1, a2, a3);
        }
        if (c > 0) Requantize<TForm>(t, p0, p1, p2, p3, t.QuadMultipliers + c - 32).Store(y + c - 32);
        if (c < channels)
        {
            var mask = Vector256.LessThan(Vector256<byte>.Indices, Vector256.Create((byte)(channels - c)));
            Accumulate<TDot>(corner + c, quads, quadCount, w, offsets + c, true, mask, out var a0, out var a1, out var a2, out var a3);
            Avx512BW.VL.MaskStore(y + c, mask, Requantize<TForm>(t, a0, a1, a2, a3, t.QuadMultipliers + c));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate<TDot>(
        byte* x, long* quads, int quadCount, sbyte* w, int* offsets, bool partial, Vector256<byte> mask,
        out Vector256<int> a0, out Vector256<int> a1, out Vector256<int> a2, out Vector256<int> a3)
        where TDot : IDot256
    {
        a0 = Vector256.Load(offsets);
        a1 = Vector256.Load(offsets + 8);
        a2 = Vector256.Load(offsets + 16);
        a3 = Vector256.Load(offsets + 24);
        for (long* quad = quads, end = quads + 4 * quadCount; quad < end; quad += 4, w += 128)
        {
            Vector256<byte> x0 = Load(x + quad[0], partial, mask), x1 = Load(x + quad[1], partial, mask);
            Vector256<byte> x2 = Load(x + quad[2], partial, mask), x3 = Load(x + quad[3], partial, mask);
            Vector256<short> low01 = Avx2.UnpackLow(x0, x1).AsInt16(), high01 = Avx2.UnpackHigh(x0, x1).AsInt16();
            Vector256<short> low23 = Avx2.UnpackLow(x2, x3).AsInt16(), high23 = Avx2.UnpackHigh(x2, x3).AsInt16();
            a0 = TDot.Dot(a0, Avx2.UnpackLow(low01, low23).AsInt32(), Vector256.Load((int*)w));
            a1 = TDot.Dot(a1, Avx2.UnpackHigh(low01, low23).AsInt32(), Vector256.Load((int*)(w + 32)));
            a2 = TDot.Dot(a2, Avx2.UnpackLow(high01, high23).AsInt32(), Vector256.Load((int*)(w + 64)));
            a3 = TDot.Dot(a3, Avx2.UnpackHigh(high01, high23).AsInt32(), Vector256.Load((int*)(w + 96)));
        }
    }

    /// <summary>
    /// A run of whole 3×3 windows along a row, channels [0, <paramref name="channels"/>) (all of a layer's, or its whole
    /// chunks: <see cref="QuadChannels"/>). Neighbouring windows share columns (two of three at stride 1, one at
    /// stride 2), so each input column is gathered into four-tap lanes once (its three rows and a zero, against a zero
    /// weight) and used by every output that reads it: per output, 8 or 16 unpacks instead of three fours' 24, and 12 steps.
    /// Each output's requantize is issued after the next output's steps: issued straight after its own, it waits on
    /// their last adds (a chain of about 30 cycles an output) and the core's window filled with waiting work. Deferred,
    /// the 224×224 layers took 0.92–0.95 of their time on Zen 4, with AVX-512 and without.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Slide<TDot>(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int count, int channels)
        where TDot : IDot256
    {
        switch (t.Form)
        {
            case RequantizeForm.ZeroBased: SlideInForm<TDot, ZeroBasedRequantize>(t, corner, window, y, count, channels); break;
            case RequantizeForm.FullRange: SlideInForm<TDot, FullRangeRequantize>(t, corner, window, y, count, channels); break;
            case RequantizeForm.Plain: SlideInForm<TDot, PlainRequantize>(t, corner, window, y, count, channels); break;
            case RequantizeForm.Any: SlideInForm<TDot, AnyRequantize>(t, corner, window, y, count, channels); break;
            default: throw RequantizeForms.Unhandled(t.Form);
        }
    }

    /// <summary>
    /// <see cref="Slide{TDot}"/> compiled for the layer's requantize form, once per run: read from the tables in the
    /// loop, the form's three flags were three loads and three branches an output (the JIT cannot hoist loads that
    /// the output stores may alias), a tenth of the slide's instructions.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void SlideInForm<TDot, TForm>(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int count, int channels)
        where TDot : IDot256
        where TForm : struct, IRequantizeForm
    {
        if (t.ColumnStride == 1) SlideChunks<TDot, TForm>(t, corner, window, y, count, channels, false);
        else SlideChunks<TDot, TForm>(t, corner, window, y, count, channels, true);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SlideChunks<TDot, TForm>(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int count, int channels, bool strideTwo)
        where TDot : IDot256
        where TForm : struct, IRequantizeForm
    {
        if (typeof(TDot) == typeof(MaddubsQuad) && t.WideOffsets != null)
        {
            SlideWide<TForm>(t, corner, window, y, count, channels, strideTwo);
            return;
        }
        SlideChunksFrom<TDot, TForm>(t, 0, t.QuadOffsets + window->Offsets, t.QuadMultipliers, corner, y, count, channels, strideTwo);
    }

    /// <summary>
    /// Channels <paramref name="c"/>… of the run on ymm, whole 32-channel chunks and then the rest masked, against
    /// <paramref name="offsets"/> and <paramref name="multipliers"/> (the window class's and the layer's, from channel 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SlideChunksFrom<TDot, TForm>(
        in DepthwiseTables t, int c, int* offsets, float* multipliers, byte* corner, byte* y, int count, int channels, bool strideTwo)
        where TDot : IDot256
        where TForm : struct, IRequantizeForm
    {
        var rows = new WindowRows(t.RowStep, 2 * t.RowStep);
        for (; c + 32 <= channels; c += 32)
        {
            SlideChunk<TDot, TForm>(t, corner + c, rows, null, false, offsets + c, t.ColumnWeights + (c >> 5) * 384, multipliers + c, y + c, count, strideTwo, false, default);
        }
        if (c < channels)
        {
            var mask = Vector256.LessThan(Vector256<byte>.Indices, Vector256.Create((byte)(channels - c)));
            SlideChunk<TDot, TForm>(t, corner + c, rows, null, false, offsets + c, t.ColumnWeights + (c >> 5) * 384, multipliers + c, y + c, count, strideTwo, true, mask);
        }
    }

    /// <summary>
    /// A whole output row of a 3×3, padding-1 layer, borders included, as one slide (<see cref="DepthwiseTables.PadRow"/>):
    /// the window rows from <paramref name="top"/>, <paramref name="top"/> + <paramref name="rows"/>' offsets (the pad row
    /// where a kernel row lies outside the image), the column left of the image and, where <paramref name="rightPad"/>,
    /// the one right of it read from the pad row too, against every tap's offsets (<see cref="DepthwiseTables.PaddedOffsets"/>).
    /// A pad byte is <c>z_in</c>, so its products are exactly what the full offsets take out for it. Border pixels through
    /// <see cref="Pixel{TDot}"/> cost 1.3–2.7 times a slid one (the 224×224 layers: 67 of their 335 µs on 3–49% of the pixels).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SlidePaddedRow<TDot>(in DepthwiseTables t, byte* top, WindowRows rows, byte* y, int count, bool rightPad)
        where TDot : IDot256
    {
        switch (t.Form)
        {
            case RequantizeForm.ZeroBased: PaddedRow<TDot, ZeroBasedRequantize>(t, top, rows, y, count, rightPad); break;
            case RequantizeForm.FullRange: PaddedRow<TDot, FullRangeRequantize>(t, top, rows, y, count, rightPad); break;
            case RequantizeForm.Plain: PaddedRow<TDot, PlainRequantize>(t, top, rows, y, count, rightPad); break;
            case RequantizeForm.Any: PaddedRow<TDot, AnyRequantize>(t, top, rows, y, count, rightPad); break;
            default: throw RequantizeForms.Unhandled(t.Form);
        }
    }

    /// <summary><see cref="SlidePaddedRow{TDot}"/> in the layer's requantize form (as <see cref="SlideInForm{TDot, TForm}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PaddedRow<TDot, TForm>(in DepthwiseTables t, byte* top, WindowRows rows, byte* y, int count, bool rightPad)
        where TDot : IDot256
        where TForm : struct, IRequantizeForm
    {
        // At stride 1 the last window always reaches past the image.
        if (t.ColumnStride == 1) PaddedRowStrideOne<TDot, TForm>(t, top, rows, y, count);
        else if (rightPad) PaddedRowStrideTwoRightPad<TDot, TForm>(t, top, rows, y, count);
        else PaddedRowStrideTwo<TDot, TForm>(t, top, rows, y, count);
    }

    // Each stride and right pad compiled as a call of its own, its loops with them as constants: all three inlined in one
    // method took the JIT's inlining budget, and the loads, dot products and stores of the later ones became calls.

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void PaddedRowStrideOne<TDot, TForm>(in DepthwiseTables t, byte* top, WindowRows rows, byte* y, int count)
        where TDot : IDot256
        where TForm : struct, IRequantizeForm => PaddedChunks<TDot, TForm>(t, top, rows, y, count, rightPad: true, strideTwo: false);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void PaddedRowStrideTwo<TDot, TForm>(in DepthwiseTables t, byte* top, WindowRows rows, byte* y, int count)
        where TDot : IDot256
        where TForm : struct, IRequantizeForm => PaddedChunks<TDot, TForm>(t, top, rows, y, count, rightPad: false, strideTwo: true);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void PaddedRowStrideTwoRightPad<TDot, TForm>(in DepthwiseTables t, byte* top, WindowRows rows, byte* y, int count)
        where TDot : IDot256
        where TForm : struct, IRequantizeForm => PaddedChunks<TDot, TForm>(t, top, rows, y, count, rightPad: true, strideTwo: true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PaddedChunks<TDot, TForm>(in DepthwiseTables t, byte* top, WindowRows rows, byte* y, int count, bool rightPad, bool strideTwo)
        where TDot : IDot256
        where TForm : struct, IRequantizeForm
    {
        // The first window's left column is the one before the image's: x starts there, and SlideChunk reads it from the pad.
        byte* x = top - t.Channels;
        int c = 0, channels = t.Channels;
        for (; c + 32 <= channels; c += 32)
        {
            SlideChunk<TDot, TForm>(t, x + c, rows, t.PadRow + c, rightPad, t.PaddedOffsets + c, t.ColumnWeights + (c >> 5) * 384, t.QuadMultipliers + c, y + c, count, strideTwo, false, default);
        }
        if (c < channels)
        {
            var mask = Vector256.LessThan(Vector256<byte>.Indices, Vector256.Create((byte)(channels - c)));
            SlideChunk<TDot, TForm>(t, x + c, rows, t.PadRow + c, rightPad, t.PaddedOffsets + c, t.ColumnWeights + (c >> 5) * 384, t.QuadMultipliers + c, y + c, count, strideTwo, true, mask);
        }
    }

    /// <summary>
    /// Two whole output rows of a stride-1, padding-1 layer, borders included, as one slide: each input column's four
    /// rows (<paramref name="rows"/>' offsets from <paramref name="top"/>, the pad row where one lies outside the image)
    /// gathered into the lanes once, against the upper row's <see cref="DepthwiseTables.ColumnWeights"/> (taps in the
    /// lanes' first three bytes) and the lower row's <see cref="DepthwiseTables.LowerColumnWeights"/> (the last three).
    /// Sliding one row at a time, each input row was gathered three times (once for each output row that reads it), a
    /// zero in every lane's fourth byte; so, twice, and each column's loads, offsets and multipliers serve two outputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SlidePaddedRowPair<TDot>(in DepthwiseTables t, byte* top, PairRows rows, byte* y, long outputRow, int count)
        where TDot : IDot256
    {
        switch (t.PairForm)
        {
            case RequantizeForm.ZeroBasedFloatBits: RowPair<TDot, ZeroBasedFloatBitsRequantize>(t, top, rows, y, outputRow, count); break;
            case RequantizeForm.ZeroBased: RowPair<TDot, ZeroBasedRequantize>(t, top, rows, y, outputRow, count); break;
            case RequantizeForm.FullRange: RowPair<TDot, FullRangeRequantize>(t, top, rows, y, outputRow, count); break;
            case RequantizeForm.Plain: RowPair<TDot, PlainRequantize>(t, top, rows, y, outputRow, count); break;
            case RequantizeForm.Any: RowPair<TDot, AnyRequantize>(t, top, rows, y, outputRow, count); break;
            default: throw RequantizeForms.Unhandled(t.PairForm);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RowPair<TDot, TForm>(in DepthwiseTables t, byte* top, PairRows rows, byte* y, long outputRow, int count)
        where TDot : IDot256
        where TForm : struct, IRequantizeForm
    {
        // As PaddedChunks: the first window's left column is the one before the image's, read from the pad.
        byte* x = top - t.Channels;
        int c = 0, channels = t.Channels;
        for (; c + 32 <= channels; c += 32)
        {
            SlidePairChunk<TDot, TForm>(t, x + c, rows, t.PadRow + c, c, y + c, outputRow, count, false, default);
        }
        if (c < channels)
        {
            var mask = Vector256.LessThan(Vector256<byte>.Indices, Vector256.Create((byte)(channels - c)));
            SlidePairChunk<TDot, TForm>(t, x + c, rows, t.PadRow + c, c, y + c, outputRow, count, true, mask);
        }
    }

    /// <summary>
    /// One 32-channel chunk of <see cref="SlidePaddedRowPair{TDot}"/>: <paramref name="count"/> outputs in each row, the
    /// first window's left column and the last one's right column read from <paramref name="pad"/> (at stride 1 both lie
    /// outside the image).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SlidePairChunk<TDot, TForm>(
        in DepthwiseTables t, byte* x, PairRows rows, byte* pad, int c, byte* y, long outputRow, int count, bool partial, Vector256<byte> mask)
        where TDot : IDot256
        where TForm : struct, IRequantizeForm
    {
        long step = t.Channels;
        int* offsets = t.PairOffsets + c;
        float* m = t.QuadMultipliers + c;
        sbyte* upper = t.ColumnWeights + (c >> 5) * 384, lower = t.LowerColumnWeights + (c >> 5) * 384;
        var padRows = new PairRows(0, 0, 0);
        FourRowColumn(pad, padRows, partial, mask, out var left0, out var left1, out var left2, out var left3);
        FourRowColumn(x + step, rows, partial, mask, out var middle0, out var middle1, out var middle2, out var middle3);
        // The last output's right column is the pad's, taken after the loop, which stays the interior slide's. The loop
        // runs to an end pointer: with a counter the JIT recomputed its bound and jumped back from the bottom each output.
        for (byte* last = y + (count - 1) * step; y < last; x += step, y += step)
        {
            FourRowColumn(x + 2 * step, rows, partial, mask, out var right0, out var right1, out var right2, out var right3);
            PairOutput<TDot, TForm>(t, offsets, upper, lower, m, left0, left1, left2, left3, middle0, middle1, middle2, middle3,
                right0, right1, right2, right3, y, outputRow, partial, mask);
            (left0, left1, left2, left3) = (middle0, middle1, middle2, middle3);
            (middle0, middle1, middle2, middle3) = (right0, right1, right2, right3);
        }
        FourRowColumn(pad, padRows, partial, mask, out var last0, out var last1, out var last2, out var last3);
        PairOutput<TDot, TForm>(t, offsets, upper, lower, m, left0, left1, left2, left3, middle0, middle1, middle2, middle3,
            last0, last1, last2, last3, y, outputRow, partial, mask);
    }

    /// <summary>One output of each row of a pair, over the same three gathered columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PairOutput<TDot, TForm>(
        in DepthwiseTables t, int* offsets, sbyte* upper, sbyte* lower, float* m,
        Vector256<byte> left0, Vector256<byte> left1, Vector256<byte> left2, Vector256<byte> left3,
        Vector256<byte> middle0, Vector256<byte> middle1, Vector256<byte> middle2, Vector256<byte> middle3,
        Vector256<byte> right0, Vector256<byte> right1, Vector256<byte> right2, Vector256<byte> right3,
        byte* y, long outputRow, bool partial, Vector256<byte> mask)
        where TDot : IDot256
        where TForm : struct, IRequantizeForm
    {
        Window<TDot>(offsets, upper, left0, left1, left2, left3, middle0, middle1, middle2, middle3, right0, right1, right2, right3,
            out var a0, out var a1, out var a2, out var a3);
        Window<TDot>(offsets, lower, left0, left1, left2, left3, middle0, middle1, middle2, middle3, right0, right1, right2, right3,
            out var b0, out var b1, out var b2, out var b3);
        Store<TForm>(t, a0, a1, a2, a3, m, y, partial, mask);
        Store<TForm>(t, b0, b1, b2, b3, m, y + outputRow, partial, mask);
    }

    /// <summary>
    /// One 32-channel chunk of a run of <paramref name="count"/> outputs whose first window's left column is at
    /// <paramref name="x"/> (its three rows at <paramref name="rows"/>' offsets from it). With a <paramref name="pad"/>
    /// (a row of <c>z_in</c> bytes), that first left column is read from it instead, and where <paramref name="rightPad"/>
    /// so is the last window's right column: the columns just outside a padding-1 image. The last output is then taken
    /// after the loop, so that the loop itself stays the interior slide's (a choice of column in every step, with the
    /// stride not yet a constant either, cost the 112×112 layers 5–7%).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SlideChunk<TDot, TForm>(
        in DepthwiseTables t, byte* x, WindowRows rows, byte* pad, bool rightPad, int* offsets, sbyte* w, float* m, byte* y, int count,
        bool strideTwo, bool partial, Vector256<byte> mask)
        where TDot : IDot256
        where TForm : struct, IRequantizeForm
    {
        long step = t.Channels;
        var padRows = new WindowRows(0, 0);
        Vector256<byte> middle0 = default, middle1 = default, middle2 = default, middle3 = default;
        Column(pad != null ? pad : x, pad != null ? padRows : rows, partial, mask, out var left0, out var left1, out var left2, out var left3);
        if (!strideTwo) Column(x + step, rows, partial, mask, out middle0, out middle1, out middle2, out middle3);
        Vector256<int> p0 = default, p1 = default, p2 = default, p3 = default;
        int inside = rightPad ? count - 1 : count;
        for (int i = 0; i < inside; i++, x += strideTwo ? 2 * step : step, y += step)
        {
            if (strideTwo) Column(x + step, rows, partial, mask, out middle0, out middle1, out middle2, out middle3);
            Column(x + 2 * step, rows, partial, mask, out var right0, out var right1, out var right2, out var right3);
            Window<TDot>(offsets, w, left0, left1, left2, left3, middle0, middle1, middle2, middle3, right0, right1, right2, right3,
                out var a0, out var a1, out var a2, out var a3);
            if (i > 0) Store<TForm>(t, p0, p1, p2, p3, m, y - step, partial, mask);
            (p0, p1, p2, p3) = (a0, a1, a2, a3);
            if (strideTwo)
            {
                (left0, left1, left2, left3) = (right0, right1, right2, right3);
            }
            else
            {
                (left0, left1, left2, left3) = (middle0, middle1, middle2, middle3);
                (middle0, middle1, middle2, middle3) = (right0, right1, right2, right3);
            }
        }
        if (rightPad)
        {
            if (strideTwo) Column(x + step, rows, partial, mask, out middle0, out middle1, out middle2, out middle3);
            Column(pad, padRows, partial, mask, out var right0, out var right1, out var right2, out var right3);
            Window<TDot>(offsets, w, left0, left1, left2, left3, middle0, middle1, middle2, middle3, right0, right1, right2, right3,
                out var a0, out var a1, out var a2, out var a3);
            if (inside > 0) Store<TForm>(t, p0, p1, p2, p3, m, y - step, partial, mask);
            (p0, p1, p2, p3) = (a0, a1, a2, a3);
            y += step;
        }
        Store<TForm>(t, p0, p1, p2, p3, m, y - step, partial, mask);
    }

    /// <summary>One output's four accumulators over its window's three gathered columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Window<TDot>(
        int* offsets, sbyte* w,
        Vector256<byte> left0, Vector256<byte> left1, Vector256<byte> left2, Vector256<byte> left3,
        Vector256<byte> middle0, Vector256<byte> middle1, Vector256<byte> middle2, Vector256<byte> middle3,
        Vector256<byte> right0, Vector256<byte> right1, Vector256<byte> right2, Vector256<byte> right3,
        out Vector256<int> a0, out Vector256<int> a1, out Vector256<int> a2, out Vector256<int> a3)
        where TDot : IDot256
    {
        a0 = Dot3<TDot>(Vector256.Load(offsets), left0, middle0, right0, w);
        a1 = Dot3<TDot>(Vector256.Load(offsets + 8), left1, middle1, right1, w + 32);
        a2 = Dot3<TDot>(Vector256.Load(offsets + 16), left2, middle2, right2, w + 64);
        a3 = Dot3<TDot>(Vector256.Load(offsets + 24), left3, middle3, right3, w + 96);
    }

    /// <summary>An output's bytes, requantized from its accumulators, all 32 or the chunk's <paramref name="mask"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TForm>(in DepthwiseTables t, Vector256<int> a0, Vector256<int> a1, Vector256<int> a2, Vector256<int> a3, float* m, byte* y, bool partial, Vector256<byte> mask)
        where TForm : struct, IRequantizeForm
    {
        var bytes = Requantize<TForm>(t, a0, a1, a2, a3, m);
        if (partial) Avx512BW.VL.MaskStore(y, mask, bytes);
        else bytes.Store(y);
    }

    /// <summary>
    /// <see cref="SlideChunk{TDot, TForm}"/> on zmm for AVX-512BW, 64 channels a step with <c>vpmaddubsw</c>: half the
    /// instructions per channel. Zen 4 runs a zmm instruction as two ymm halves, so the multiplies are no faster, but
    /// the ymm loop is bound by how much work waits in the core's window, not by its pipes: the 224×224 layers of 64
    /// channels or more took 0.90–0.95 of their time at stride 1 and 0.87–0.90 at stride 2 (layer against layer in one
    /// process, both orders).
    /// </summary>
    /// <remarks>
    /// A call of its own, once per run, with the ymm slide for the channels after the whole chunks inlined into it:
    /// inlined into the window walk, it took the JIT's inlining budget, and the ymm slide's helpers became calls.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void SlideWide<TForm>(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int count, int channels, bool strideTwo)
        where TForm : struct, IRequantizeForm
    {
        int* offsets = t.WideOffsets + window->Offsets;
        int c = 0;
        for (; c + 64 <= channels; c += 64)
        {
            SlideWideChunk<TForm>(t, corner + c, offsets + c, t.ColumnWeights + (c >> 6) * 768, t.WideMultipliers + c, y + c, count, strideTwo);
        }
        // The channels after the whole chunks on ymm, from the same tables (laid out as the ymm slide's there).
        SlideChunksFrom<MaddubsQuad, TForm>(t, c, offsets, t.WideMultipliers, corner, y, count, channels, strideTwo);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SlideWideChunk<TForm>(in DepthwiseTables t, byte* x, int* offsets, sbyte* w, float* m, byte* y, int count, bool strideTwo)
        where TForm : struct, IRequantizeForm
    {
        long rowStep = t.RowStep, step = t.Channels;
        Vector512<byte> middle0 = default, middle1 = default, middle2 = default, middle3 = default;
        WideColumn(x, rowStep, out var left0, out var left1, out var left2, out var left3);
        if (!strideTwo) WideColumn(x + step, rowStep, out middle0, out middle1, out middle2, out middle3);
        Vector512<int> p0 = default, p1 = default, p2 = default, p3 = default;
        for (int i = 0; i < count; i++, x += strideTwo ? 2 * step : step, y += step)
        {
            if (strideTwo) WideColumn(x + step, rowStep, out middle0, out middle1, out middle2, out middle3);
            WideColumn(x + 2 * step, rowStep, out var right0, out var right1, out var right2, out var right3);
            var a0 = WideDot3(Vector512.Load(offsets), left0, middle0, right0, w);
            var a1 = WideDot3(Vector512.Load(offsets + 16), left1, middle1, right1, w + 64);
            var a2 = WideDot3(Vector512.Load(offsets + 32), left2, middle2, right2, w + 128);
            var a3 = WideDot3(Vector512.Load(offsets + 48), left3, middle3, right3, w + 192);
            if (i > 0) WideRequantize<TForm>(t, p0, p1, p2, p3, m).Store(y - step);
            (p0, p1, p2, p3) = (a0, a1, a2, a3);
            if (strideTwo)
            {
                (left0, left1, left2, left3) = (right0, right1, right2, right3);
            }
            else
            {
                (left0, left1, left2, left3) = (middle0, middle1, middle2, middle3);
                (middle0, middle1, middle2, middle3) = (right0, right1, right2, right3);
            }
        }
        WideRequantize<TForm>(t, p0, p1, p2, p3, m).Store(y - step);
    }

    /// <summary>One zmm accumulator over the window's three columns; each column's weights are 256 bytes on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> WideDot3(Vector512<int> acc, Vector512<byte> left, Vector512<byte> middle, Vector512<byte> right, sbyte* w)
    {
        acc = MaddubsQuad.Dot(acc, left.AsInt32(), Vector512.Load((int*)w));
        acc = MaddubsQuad.Dot(acc, middle.AsInt32(), Vector512.Load((int*)(w + 256)));
        return MaddubsQuad.Dot(acc, right.AsInt32(), Vector512.Load((int*)(w + 512)));
    }

    /// <summary><see cref="Column"/> on 64 channels: the same in-lane unpacks, four 128-bit lanes a register (<see cref="WideOrder"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WideColumn(
        byte* x, long rowStep, out Vector512<byte> q0, out Vector512<byte> q1, out Vector512<byte> q2, out Vector512<byte> q3)
    {
        Vector512<byte> x0 = Vector512.Load(x), x1 = Vector512.Load(x + rowStep), x2 = Vector512.Load(x + 2 * rowStep);
        Vector512<short> low01 = Avx512BW.UnpackLow(x0, x1).AsInt16(), high01 = Avx512BW.UnpackHigh(x0, x1).AsInt16();
        Vector512<short> low2 = Avx512BW.UnpackLow(x2, Vector512<byte>.Zero).AsInt16(), high2 = Avx512BW.UnpackHigh(x2, Vector512<byte>.Zero).AsInt16();
        q0 = Avx512BW.UnpackLow(low01, low2).AsByte();
        q1 = Avx512BW.UnpackHigh(low01, low2).AsByte();
        q2 = Avx512BW.UnpackLow(high01, high2).AsByte();
        q3 = Avx512BW.UnpackHigh(high01, high2).AsByte();
    }

    /// <summary>
    /// <see cref="Requantize{TForm}(in DepthwiseTables, Vector256{int}, Vector256{int}, Vector256{int}, Vector256{int}, float*)"/>
    /// on zmm, in the same <typeparamref name="TForm"/>: the packs, in-lane too, leave the 64 bytes in channel order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> WideRequantize<TForm>(in DepthwiseTables t, Vector512<int> a0, Vector512<int> a1, Vector512<int> a2, Vector512<int> a3, float* m)
        where TForm : struct, IRequantizeForm
    {
        DepthwiseConstants* k = t.Constants;
        var zeroPoint = k->WideZeroWords;
        if (TForm.IsPlain)
        {
            Vector512<short> low = Avx512BW.PackSignedSaturate(WideRounded<TForm>(a0, m), WideRounded<TForm>(a1, m + 16));
            Vector512<short> high = Avx512BW.PackSignedSaturate(WideRounded<TForm>(a2, m + 32), WideRounded<TForm>(a3, m + 48));
            if (TForm.AddsZeroPoint)
            {
                low = Avx512BW.AddSaturate(low, zeroPoint);
                high = Avx512BW.AddSaturate(high, zeroPoint);
            }
            var bytes = Avx512BW.PackUnsignedSaturate(low, high);
            return TForm.FullRange ? bytes : Vector512.Min(Vector512.Max(bytes, k->WideMinBytes), k->WideMaxBytes);
        }
        Vector512<short> clampedLow = Avx512BW.PackSignedSaturate(WideClamped(k, a0, m), WideClamped(k, a1, m + 16)) + zeroPoint;
        Vector512<short> clampedHigh = Avx512BW.PackSignedSaturate(WideClamped(k, a2, m + 32), WideClamped(k, a3, m + 48)) + zeroPoint;
        return Avx512BW.PackUnsignedSaturate(clampedLow, clampedHigh);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> WideRounded<TForm>(Vector512<int> acc, float* m)
        where TForm : struct, IRequantizeForm =>
        Avx512F.ConvertToVector512Int32(FloatBits.Floats<TForm>(acc) * Vector512.Load(m));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> WideClamped(DepthwiseConstants* k, Vector512<int> acc, float* m)
    {
        var scaled = Avx512F.ConvertToVector512Single(acc) * Vector512.Load(m);
        return Avx512F.ConvertToVector512Int32(Avx512F.Min(Avx512F.Max(scaled, Vector512.Create(k->Low)), Vector512.Create(k->High)));
    }

    /// <summary>One accumulator vector over the window's three columns; each column's weights are 128 bytes on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Dot3<TDot>(Vector256<int> acc, Vector256<byte> left, Vector256<byte> middle, Vector256<byte> right, sbyte* w)
        where TDot : IDot256
    {
        acc = TDot.Dot(acc, left.AsInt32(), Vector256.Load((int*)w));
        acc = TDot.Dot(acc, middle.AsInt32(), Vector256.Load((int*)(w + 128)));
        return TDot.Dot(acc, right.AsInt32(), Vector256.Load((int*)(w + 256)));
    }

    /// <summary>One input column's three rows from <paramref name="x"/>, gathered four bytes a lane (the fourth zero) in the order of <see cref="QuadOrder"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column(
        byte* x, WindowRows rows, bool partial, Vector256<byte> mask,
        out Vector256<byte> q0, out Vector256<byte> q1, out Vector256<byte> q2, out Vector256<byte> q3)
    {
        Vector256<byte> x0 = Load(x, partial, mask), x1 = Load(x + rows.Middle, partial, mask), x2 = Load(x + rows.Bottom, partial, mask);
        Vector256<short> low01 = Avx2.UnpackLow(x0, x1).AsInt16(), high01 = Avx2.UnpackHigh(x0, x1).AsInt16();
        Vector256<short> low2 = Avx2.UnpackLow(x2, Vector256<byte>.Zero).AsInt16(), high2 = Avx2.UnpackHigh(x2, Vector256<byte>.Zero).AsInt16();
        q0 = Avx2.UnpackLow(low01, low2).AsByte();
        q1 = Avx2.UnpackHigh(low01, low2).AsByte();
        q2 = Avx2.UnpackLow(high01, high2).AsByte();
        q3 = Avx2.UnpackHigh(high01, high2).AsByte();
    }

    /// <summary>One input column's four rows from <paramref name="x"/>, gathered four bytes a lane, top to bottom, in the order of <see cref="QuadOrder"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourRowColumn(
        byte* x, PairRows rows, bool partial, Vector256<byte> mask,
        out Vector256<byte> q0, out Vector256<byte> q1, out Vector256<byte> q2, out Vector256<byte> q3)
    {
        Vector256<byte> x0 = Load(x, partial, mask), x1 = Load(x + rows.Second, partial, mask);
        Vector256<byte> x2 = Load(x + rows.Third, partial, mask), x3 = Load(x + rows.Fourth, partial, mask);
        Vector256<short> low01 = Avx2.UnpackLow(x0, x1).AsInt16(), high01 = Avx2.UnpackHigh(x0, x1).AsInt16();
        Vector256<short> low23 = Avx2.UnpackLow(x2, x3).AsInt16(), high23 = Avx2.UnpackHigh(x2, x3).AsInt16();
        q0 = Avx2.UnpackLow(low01, low23).AsByte();
        q1 = Avx2.UnpackHigh(low01, low23).AsByte();
        q2 = Avx2.UnpackLow(high01, high23).AsByte();
        q3 = Avx2.UnpackHigh(high01, high23).AsByte();
    }

    /// <summary>32 bytes from <paramref name="x"/>, or only the channels of <paramref name="mask"/> (a masked load does not fault past them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Load(byte* x, bool partial, Vector256<byte> mask) =>
        partial ? Avx512BW.VL.MaskLoad(x, mask, Vector256<byte>.Zero) : Vector256.Load(x);

    /// <summary>
    /// <see cref="Epilogue256.Requantize"/>'s rounding, then a signed pack to int16, the zero point added as int16, and an
    /// unsigned pack to bytes, in <typeparamref name="TForm"/> (<see cref="DepthwiseTables.Form"/>, a JIT-time constant).
    /// Where every multiplier is at most ½ (the plain forms: <see cref="Epilogue.ClampsInBytes"/>) the clamp follows as a
    /// byte min/max, the packs and the add saturating (a third fewer instructions than a float max/min on each of the four
    /// vectors); onto the whole byte the unsigned pack is that clamp already, and from a zero point of 0 there is nothing
    /// to add. Otherwise (<see cref="AnyRequantize"/>) the scaled values are clamped in float first, to [−255, 255], and
    /// nothing saturates.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Requantize<TForm>(in DepthwiseTables t, Vector256<int> a0, Vector256<int> a1, Vector256<int> a2, Vector256<int> a3, float* m)
        where TForm : struct, IRequantizeForm
    {
        DepthwiseConstants* k = t.Constants;
        if (TForm.IsPlain)
        {
            Vector256<short> low = Avx2.PackSignedSaturate(Rounded<TForm>(a0, m), Rounded<TForm>(a1, m + 8));
            Vector256<short> high = Avx2.PackSignedSaturate(Rounded<TForm>(a2, m + 16), Rounded<TForm>(a3, m + 24));
            if (TForm.AddsZeroPoint)
            {
                low = Avx2.AddSaturate(low, k->ZeroWords);
                high = Avx2.AddSaturate(high, k->ZeroWords);
            }
            var bytes = Avx2.PackUnsignedSaturate(low, high);
            return TForm.FullRange ? bytes : Vector256.Min(Vector256.Max(bytes, k->MinBytes), k->MaxBytes);
        }
        Vector256<short> clampedLow = Avx2.PackSignedSaturate(Clamped(k, a0, m), Clamped(k, a1, m + 8)) + k->ZeroWords;
        Vector256<short> clampedHigh = Avx2.PackSignedSaturate(Clamped(k, a2, m + 16), Clamped(k, a3, m + 24)) + k->ZeroWords;
        return Avx2.PackUnsignedSaturate(clampedLow, clampedHigh);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Rounded<TForm>(Vector256<int> acc, float* m)
        where TForm : struct, IRequantizeForm =>
        Avx.ConvertToVector256Int32(FloatBits.Floats<TForm>(acc) * Vector256.Load(m));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Clamped(DepthwiseConstants* k, Vector256<int> acc, float* m)
    {
        var scaled = Avx.ConvertToVector256Single(acc) * Vector256.Load(m);
        return Avx.ConvertToVector256Int32(Avx.Min(Avx.Max(scaled, Vector256.Create(k->Low)), Vector256.Create(k->High)));
    }
}

/// <summary>
/// Where a window's middle and bottom kernel rows lie, in bytes from its top row: one and two input rows on, or
/// anywhere (the pad row) for a padded slide's rows outside the image (<see cref="DepthwiseQuads.SlidePaddedRow{TDot}"/>).
/// </summary>
internal readonly record struct WindowRows(long Middle, long Bottom);

/// <summary>Where a pair of output rows' second, third and fourth input rows lie, in bytes from the first (<see cref="DepthwiseQuads.SlidePaddedRowPair{TDot}"/>).</summary>
internal readonly record struct PairRows(long Second, long Third, long Fourth);
