using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The GEMM of every vector path: <see cref="QGemm"/>'s packed panels against rows of A, one register tile at a time,
/// requantized into Y [M × N]. Each row block runs on <typeparamref name="TTile"/>, or, when the GEMM keeps an exact
/// packing (<see cref="QGemm.ChecksRows"/>) and the block holds an activation above <see cref="QGemm.InputLimit"/>, on <typeparamref name="TExact"/>.
/// </summary>
/// <remarks>
/// <para>AVX2's and AVX-512BW's <c>vpmaddubsw</c> sums two u8·s8 products into a saturating int16, exact for activations
/// up to the layer's <see cref="QGemm.InputLimit"/> (128 to 255, from its weights: <see cref="ByteRange"/>). A layer
/// calibrated as PyTorch's x86 qconfigs do (activations observed in [0, 127]) sees few larger bytes, but nothing proves
/// there are none: so each block is checked (one pass over its bytes, which every panel then reads from L1 anyway), and
/// a block with a larger byte runs on int16 pairs. Against 127 rather than the limit, 0.5% of the 224×224 fixture's
/// blocks took pairs, for 3% of its pass; against the limit, none did (Zen 3, AVX2).</para>
/// <para>Where the weights allow it (<see cref="StepPairing"/>), the <c>vpmaddubsw</c> tiles take two K steps into one
/// int16 sum before widening, three multiplies per 64 MACs instead of four, and the driver adds the few products the
/// packed weights leave out (<see cref="PanelCorrections"/>) before each tile's sums are requantized. That holds for bytes
/// up to <see cref="QGemm.PairedLimit"/>; a block with a larger one takes its steps one at a time.</para>
/// <para>Tiles whose step multiplies activations wider than a byte (the int16 pairs, the portable int32 lanes) read rows
/// the driver has widened once per row block: each step's broadcast is then a single load, where reading it from bytes
/// took two byte loads, a shift, an or and a move into a vector register per row, more instructions than the multiplies.</para>
/// </remarks>
internal static unsafe class GemmDriver<TTile, TExact>
    where TTile : struct, IGemmTile
    where TExact : struct, IGemmTile
{
    private const int TileRows = 4;

    /// <summary>Widened rows up to this size go on the stack; larger ones (K over 2048 for pairs) borrow from the array pool.</summary>
    private const int StackWidenedBytes = 32 * 1024;

    /// <summary>The rows left over by whole tiles, then the blocks, each on the tile its bytes allow.</summary>
    [SkipLocalsInit]   // a tile writes its sums, and a partial store its row, before either is read: zeroing them cost a small layer's call a tenth
    public static void Run(QGemm g, Rows a, byte* y, int* rowSums)
    {
        int whole = a.Count - a.Count % TileRows, block = GemmBlocking.Rows(g.K * Steps.ActivationBytes(TTile.Kind), g.N, TileRows);
        // A tile reads its rows a stride apart; a last row that lives elsewhere (a padded copy) goes with the rows left over.
        if (whole == a.Count && whole > 0 && !a.LastInPlace) whole -= TileRows;
        // Two tiles' sums (Block requantizes each tile after the next one's K loop), on cache lines of their own: a
        // store that straddles a line does not forward to the load that reads it back (the stack is only 16-byte aligned).
        byte* sumsBytes = stackalloc byte[2 * TileRows * Math.Max(TTile.Width, TExact.Width) * sizeof(int) + 63];
        int* sums = (int*)(((nint)sumsBytes + 63) & ~(nint)63);
        byte* narrow = stackalloc byte[Vector256<byte>.Count];   // one row of the widest tile
        var scratch = new TileScratch(sums, narrow);
        RequantizeForm form = RequantizeForms.Of(g.Epilogue);
        // Row blocks outside, panels inside: a block of A stays in L1 while every panel passes over it.
        for (int b0 = 0; b0 < whole; b0 += block) RunRows(g, a, y, rowSums, b0, Math.Min(whole, b0 + block), leftover: false, form, scratch);
        // The rows left over come last, when the blocks have brought every panel into L2: first, the one-row passes
        // streamed the layer's weights from L3 alone, with no tile's dot products to hide the wait behind (the 7×7
        // layers of MobileNetV2 at 224×224, 49 rows, lost 1–2 µs each so).
        if (whole < a.Count) RunRows(g, a, y, rowSums, whole, a.Count, leftover: true, form, scratch);
    }

    /// <summary>Rows <paramref name="start"/>…<paramref name="end"/> (a block of whole tiles, or the rows left over) on the tile their bytes allow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunRows(QGemm g, Rows a, byte* y, int* rowSums, int start, int end, bool leftover, RequantizeForm form, TileScratch scratch)
    {
        if (g.PairedSteps > 0)
        {
            // Blocks within the pairing's bound (nearly all) take their steps two at a time; a block above it takes them
            // one at a time, or the exact tile above the byte limit, which lies above the bound and is checked only then.
            if (!g.ChecksPairedRows || !ByteRange.AnyAbove(a, start, end, g.K, g.PairedLimit)) OnTile(g, g.Packing, a, y, rowSums, start, end, leftover, form, scratch);
            else if (NeedsExact(g, a, start, end)) Widened<TExact>(g, g.ExactPacking, a, y, rowSums, start, end, leftover, form, scratch);
            else OnTile(g, g.Packing.OneStepAtATime, a, y, rowSums, start, end, leftover, form, scratch);
            return;
        }
        if (NeedsExact(g, a, start, end)) Widened<TExact>(g, g.ExactPacking, a, y, rowSums, start, end, leftover, form, scratch);
        else OnTile(g, g.Packing, a, y, rowSums, start, end, leftover, form, scratch);
    }

    /// <summary>Rows <paramref name="start"/>…<paramref name="end"/> on <typeparamref name="TTile"/> against <paramref name="packing"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OnTile(QGemm g, PanelSet packing, Rows a, byte* y, int* rowSums, int start, int end, bool leftover, RequantizeForm form, TileScratch scratch)
    {
        if (Steps.ActivationBytes(TTile.Kind) > 1) Widened<TTile>(g, packing, a, y, rowSums, start, end, leftover, form, scratch);
        else if (leftover) TilePass<TTile>.Leftover(g, packing, a, y, rowSums, start, form, widened: null, scratch);
        else TilePass<TTile>.Block(g, packing, a, y, rowSums, start, end, form, widened: null, scratch);
    }

    /// <summary>
    /// Rows <paramref name="start"/>…<paramref name="end"/> on <typeparamref name="T"/>, whose steps read activations
    /// wider than a byte, widened first into a buffer of their own: every block of the portable tile, and the seldom
    /// block that needs the exact one (no block of either MobileNetV2 fixture's passes did). Reserving the exact tile's
    /// buffer on every call, as the driver did, cost about 1% of a 28×28 batch-1 pass on Zen 3 (bench/RESULTS.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    [SkipLocalsInit]   // the widened rows are written before a tile reads them
    private static void Widened<T>(QGemm g, PanelSet weights, Rows a, byte* y, int* rowSums, int start, int end, bool leftover, RequantizeForm form, TileScratch scratch)
        where T : struct, IGemmTile
    {
        int bytes = (end - start) * weights.StepCount * Steps.LaneBytes;
        byte[]? rented = bytes > StackWidenedBytes ? System.Buffers.ArrayPool<byte>.Shared.Rent(bytes) : null;
        try
        {
            Span<byte> buffer = rented ?? stackalloc byte[bytes];
            fixed (byte* widened = buffer)
            {
                if (leftover) TilePass<T>.Leftover(g, weights, a, y, rowSums, start, form, widened, scratch);
                else TilePass<T>.Block(g, weights, a, y, rowSums, start, end, form, widened, scratch);
            }
        }
        finally
        {
            if (rented != null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool NeedsExact(QGemm g, Rows a, int start, int end) => g.ChecksRows && ByteRange.AnyAbove(a, start, end, g.K, g.InputLimit);
}

/// <summary>One register tile over rows of A against one packing of the weights: the loops around <typeparamref name="TTile"/>'s K loop.</summary>
internal static unsafe class TilePass<TTile>
    where TTile : struct, IGemmTile
{
    private const int TileRows = 4;

    /// <summary>Rows <paramref name="start"/>…<paramref name="end"/> (whole tiles) against every panel, widened first when the tile needs it.</summary>
    public static void Block(QGemm g, PanelSet weights, Rows a, byte* y, int* rowSums, int start, int end, RequantizeForm form, byte* widened, TileScratch scratch)
    {
        Rows rows = Steps.ActivationBytes(TTile.Kind) == 1 ? a : Widen(weights, a, start, end, widened);
        switch (form)
        {
            case RequantizeForm.ZeroBasedFloatBits: Block<ZeroBasedFloatBitsRequantize>(g, weights, rows, a, y, rowSums, start, end, scratch); break;
            case RequantizeForm.ZeroBased: Block<ZeroBasedRequantize>(g, weights, rows, a, y, rowSums, start, end, scratch); break;
            case RequantizeForm.FullRange: Block<FullRangeRequantize>(g, weights, rows, a, y, rowSums, start, end, scratch); break;
            case RequantizeForm.Plain: Block<PlainRequantize>(g, weights, rows, a, y, rowSums, start, end, scratch); break;
            case RequantizeForm.Any: Block<AnyRequantize>(g, weights, rows, a, y, rowSums, start, end, scratch); break;
            default: throw RequantizeForms.Unhandled(form);
        }
    }

    /// <summary>The rows from <paramref name="start"/> to the end (fewer than a tile), one at a time, against every panel.</summary>
    public static void Leftover(QGemm g, PanelSet weights, Rows a, byte* y, int* rowSums, int start, RequantizeForm form, byte* widened, TileScratch scratch)
    {
        Rows rows = Steps.ActivationBytes(TTile.Kind) == 1 ? a : Widen(weights, a, start, a.Count, widened);
        switch (form)
        {
            case RequantizeForm.ZeroBasedFloatBits: Leftover<ZeroBasedFloatBitsRequantize>(g, weights, rows, a, y, rowSums, start, scratch); break;
            case RequantizeForm.ZeroBased: Leftover<ZeroBasedRequantize>(g, weights, rows, a, y, rowSums, start, scratch); break;
            case RequantizeForm.FullRange: Leftover<FullRangeRequantize>(g, weights, rows, a, y, rowSums, start, scratch); break;
            case RequantizeForm.Plain: Leftover<PlainRequantize>(g, weights, rows, a, y, rowSums, start, scratch); break;
            case RequantizeForm.Any: Leftover<AnyRequantize>(g, weights, rows, a, y, rowSums, start, scratch); break;
            default: throw RequantizeForms.Unhandled(form);
        }
    }

    [MethodImpl(HotLoop.Compiled)]   // its tier-0 code ran the one-row layers of a 28×28 batch-1 pass ten times slower
    private static void Leftover<TForm>(QGemm g, PanelSet weights, Rows a, Rows source, byte* y, int* rowSums, int start, TileScratch scratch)
        where TForm : struct, IRequantizeForm
    {
        int n = g.N, width = TTile.Width;
        for (int c0 = 0; c0 < n; c0 += width)
        {
            var requantizer = new PanelRequantizer(weights.Epilogue, c0);
            byte* panel = weights.Panel(c0);
            int columns = Math.Min(width, n - c0);
            for (int m = start; m < a.Count; m++)
            {
                TTile.One(a[m], panel, weights.StepCount, weights.PairedSteps, requantizer.Offsets, scratch.Sums);
                weights.Corrections?.Apply(c0 / width, source[m], scratch.Sums);
                Store<TForm>(requantizer, scratch.Sums, RowSum<TForm>(source, rowSums, m), y + (long)m * n + c0, columns, scratch.Narrow);
            }
        }
    }

    /// <summary>
    /// Rows <paramref name="start"/>…<paramref name="end"/> of <paramref name="a"/> with each activation zero-extended
    /// to <see cref="Steps.ActivationBytes"/>, whole steps, into <paramref name="into"/>: rows keep their numbers, so
    /// the tiles index them as they would <paramref name="a"/>.
    /// </summary>
    private static Rows Widen(PanelSet weights, Rows a, int start, int end, byte* into)
    {
        int stride = weights.StepCount * Steps.LaneBytes, length = weights.StepCount * Steps.Size(TTile.Kind);
        for (int m = start; m < end; m++)
        {
            byte* to = into + (long)(m - start) * stride;
            if (TTile.Kind == StepKind.Pair) RowWidening.ToUInt16(a[m], (ushort*)to, length);
            else RowWidening.ToInt32(a[m], (int*)to, length);
        }
        return Rows.Block(into, stride, start, end, a.Count);
    }

    /// <summary>
    /// Rows <paramref name="start"/>…<paramref name="end"/> (whole tiles) against every panel: one call a block, not a
    /// panel, since a small block (4 rows at batch 1 on a 2×2 image) costs little more than the call.
    /// </summary>
    /// <remarks>
    /// Each tile's requantize is issued after the next tile's K loop, from the other half of <paramref name="scratch"/>'s
    /// sums. Issued straight after its own loop, it waits on that loop's last adds, and a K = 16 layer took about the sum
    /// of its K loops alone and its requantizes alone: they did not overlap. Deferred, its inputs are ready when it
    /// issues, beside the next loop's dot products. Whole passes, in process on Zen 3: 224×224 0.97–1.00, MNIST batch 64
    /// 0.94–0.99. The first tile's loop is its own copy: one loop with a test for the first tile measured 1–2% slower.
    /// A tile with the registers for it (<see cref="IGemmTile.RequantizesFromRegisters"/>) skips the round trip through
    /// memory, its pairing corrections added in registers: on Zen 4 the zmm tile's small-K expansions took 10–15% less
    /// time so, the out-of-order window overlapping a tile's requantize with the next tile's K loop by itself.
    /// </remarks>
    [MethodImpl(HotLoop.Compiled)]   // tiered code kept the accumulators on the stack
    private static void Block<TForm>(QGemm g, PanelSet weights, Rows a, Rows source, byte* y, int* rowSums, int start, int end, TileScratch scratch)
        where TForm : struct, IRequantizeForm
    {
        int n = g.N, steps = weights.StepCount, pairedSteps = weights.PairedSteps, width = TTile.Width;
        PanelCorrections? corrections = weights.Corrections;
        byte* narrow = scratch.Narrow;
        for (int c0 = 0; c0 < n; c0 += width)
        {
            var requantizer = new PanelRequantizer(weights.Epilogue, c0);
            byte* panel = weights.Panel(c0);
            int columns = Math.Min(width, n - c0);
            if (TTile.RequantizesFromRegisters)
            {
                PanelCorrections.Span corrected = corrections?.Of(c0 / width) ?? default;
                for (int m0 = start; m0 < end; m0 += TileRows)
                {
                    var output = new TileOutput(
                        y + (long)m0 * n + c0, n, columns, RowSum<TForm>(source, rowSums, m0), RowSum<TForm>(source, rowSums, m0 + 1),
                        RowSum<TForm>(source, rowSums, m0 + 2), RowSum<TForm>(source, rowSums, m0 + 3));
                    TTile.FourRequantized<TForm>(a.Tile(m0), a.Stride, panel, steps, pairedSteps, corrected, requantizer, output);
                }
                continue;
            }
            if (TTile.HasHalfPanels && 2 * columns <= width)
            {
                HalfPanel<TForm>(g, weights, a, source, y, rowSums, start, end, c0, scratch);
                continue;
            }
            if (columns == width && end - start >= WholePanelRows && !(corrections?.Any(c0 / width) ?? false))
            {
                WholePanel<TForm>(weights.Epilogue, c0, a.Tile(start), a.Stride, panel, steps, pairedSteps, scratch.Sums,
                    y + (long)start * n + c0, n, WholeTileRowSums<TForm>(rowSums, start), (end - start) / TileRows);
                continue;
            }
            int* current = scratch.Sums, previous = scratch.Sums + TileRows * width;
            TTile.Four(a.Tile(start), a.Stride, panel, steps, pairedSteps, requantizer.Offsets, current);
            corrections?.Apply(c0 / width, source[start], source[start + 1], source[start + 2], source[start + 3], current, width);
            for (int m0 = start + TileRows; m0 < end; m0 += TileRows)
            {
                int* done = current;
                current = previous;
                previous = done;
                TTile.Four(a.Tile(m0), a.Stride, panel, steps, pairedSteps, requantizer.Offsets, current);
                corrections?.Apply(c0 / width, source[m0], source[m0 + 1], source[m0 + 2], source[m0 + 3], current, width);
                StoreTile<TForm>(requantizer, previous, source, rowSums, m0 - TileRows, y + (long)(m0 - TileRows) * n + c0, n, columns, narrow);
            }
            StoreTile<TForm>(requantizer, current, source, rowSums, end - TileRows, y + (long)(end - TileRows) * n + c0, n, columns, narrow);
        }
    }

    /// <summary>
    /// <see cref="Block{TForm}"/>'s rows against the last panel where it holds at most half a tile's columns, on the
    /// tile's half-width K loop (<see cref="IGemmTile.FourHalf"/>): MobileNetV2's expansions to 144 channels computed
    /// 16 zero columns in their fifth panel. A call of its own, once a block, so that <see cref="Block{TForm}"/>'s
    /// inlining budget stays with the whole panels.
    /// </summary>
    [MethodImpl(HotLoop.Compiled)]
    private static void HalfPanel<TForm>(QGemm g, PanelSet weights, Rows a, Rows source, byte* y, int* rowSums, int start, int end, int c0, TileScratch scratch)
        where TForm : struct, IRequantizeForm
    {
        int n = g.N, steps = weights.StepCount, pairedSteps = weights.PairedSteps, width = TTile.Width, columns = n - c0;
        var requantizer = new PanelRequantizer(weights.Epilogue, c0);
        byte* panel = weights.Panel(c0);
        int* sums = scratch.Sums;
        for (int m0 = start; m0 < end; m0 += TileRows)
        {
            TTile.FourHalf(a.Tile(m0), a.Stride, panel, steps, pairedSteps, requantizer.Offsets, sums);
            weights.Corrections?.Apply(c0 / width, source[m0], source[m0 + 1], source[m0 + 2], source[m0 + 3], sums, width);
            StoreNarrowTile<TForm>(requantizer, sums, source, rowSums, m0, y + (long)m0 * n + c0, n, columns, scratch.Narrow);
        }
    }

    /// <summary>
    /// The fewest rows a block runs through <see cref="WholePanel{TForm}"/>: below them its call, once a panel, costs more
    /// than it saves (MNIST at batch 1, whose 2×2 and 4×4 layers are one tile or a few).
    /// </summary>
    private const int WholePanelRows = 4 * TileRows;

    /// <summary>
    /// <see cref="Block{TForm}"/>'s tiles over one whole panel without pairing corrections (every AVX-VNNI GEMM's, and
    /// on AVX2 and AVX-512BW every panel that pairing left without one, nearly all), as a call of its own, which steps
    /// its row, output and row-sum pointers: in <see cref="Block{TForm}"/>'s loop, beside the block's twenty-odd values,
    /// the JIT kept them on the stack and recomputed them around every tile. With the requantize skipped, a loop of the
    /// K loops alone took 0.85 of the 16 → 96 expansion's time there. The layers took 0.93–0.995 of their time so
    /// (Sapphire Rapids, <c>--compare-layer-builds</c>), and whole MNIST passes at batch 64 0.965–0.973 on Zen 2's
    /// AVX2 (bench/RESULTS.md).
    /// </summary>
    [MethodImpl(HotLoop.Compiled)]
    private static void WholePanel<TForm>(Epilogue epilogue, int c0, byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* sums, byte* y, int n, int* rowSums, int tiles)
        where TForm : struct, IRequantizeForm
    {
        var requantizer = new PanelRequantizer(epilogue, c0);
        int width = TTile.Width;
        int* current = sums, previous = sums + TileRows * width;
        nint tileStride = TileRows * stride, yStep = (nint)TileRows * n;
        TTile.Four(a, stride, panel, steps, pairedSteps, requantizer.Offsets, current);
        for (int t = 1; t < tiles; t++)
        {
            int* done = current;
            current = previous;
            previous = done;
            a += tileStride;
            TTile.Four(a, stride, panel, steps, pairedSteps, requantizer.Offsets, current);
            StoreWholeTile<TForm>(requantizer, previous, rowSums, y, n);
            y += yStep;
            if (rowSums != null) rowSums += TileRows;
        }
        StoreWholeTile<TForm>(requantizer, current, rowSums, y, n);
    }

    /// <summary>Four rows of a whole panel's sums requantized into <paramref name="row"/> and the three rows after it; <paramref name="rowSums"/> the four rows' sums, or null for none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreWholeTile<TForm>(in PanelRequantizer requantizer, int* sums, int* rowSums, byte* row, int n)
        where TForm : struct, IRequantizeForm
    {
        int width = TTile.Width;
        int s0 = rowSums == null ? 0 : rowSums[0], s1 = rowSums == null ? 0 : rowSums[1];
        int s2 = rowSums == null ? 0 : rowSums[2], s3 = rowSums == null ? 0 : rowSums[3];
        if (TTile.StoresTwoRows)
        {
            TTile.StoreTwoRows<TForm>(requantizer, sums, s0, s1, row, row + n);
            TTile.StoreTwoRows<TForm>(requantizer, sums + 2 * width, s2, s3, row + 2 * n, row + 3 * n);
            return;
        }
        TTile.Store<TForm>(requantizer, sums, s0, row);
        TTile.Store<TForm>(requantizer, sums + width, s1, row + n);
        TTile.Store<TForm>(requantizer, sums + 2 * width, s2, row + 2 * n);
        TTile.Store<TForm>(requantizer, sums + 3 * width, s3, row + 3 * n);
    }

    /// <summary>The four rows of one tile's sums, from row <paramref name="m0"/>, requantized into <paramref name="row"/> and the three rows after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTile<TForm>(in PanelRequantizer requantizer, int* sums, Rows source, int* rowSums, int m0, byte* row, int n, int columns, byte* narrow)
        where TForm : struct, IRequantizeForm
    {
        if (columns != TTile.Width)
        {
            StoreNarrowTile<TForm>(requantizer, sums, source, rowSums, m0, row, n, columns, narrow);
            return;
        }
        StoreWholeTile<TForm>(requantizer, sums, WholeTileRowSums<TForm>(rowSums, m0), row, n);
    }

    /// <summary>
    /// <see cref="StoreTile{TForm}"/> for the last panel where it is narrower than a tile, each row through
    /// <paramref name="narrow"/> so that nothing is written past N: a call of its own, once a tile of that panel, so that
    /// the JIT spends <see cref="Block{TForm}"/>'s inlining budget on the whole panels' stores. Inlined there (in the
    /// loop and after it) the requantizes outgrew the budget, and parts of the loop's own became calls (an expansion
    /// to 144 columns took 1.1× its time, Sapphire Rapids).
    /// </summary>
    [MethodImpl(HotLoop.Compiled)]
    private static void StoreNarrowTile<TForm>(in PanelRequantizer requantizer, int* sums, Rows source, int* rowSums, int m0, byte* row, int n, int columns, byte* narrow)
        where TForm : struct, IRequantizeForm
    {
        int width = TTile.Width;
        StoreNarrow<TForm>(requantizer, sums, RowSum<TForm>(source, rowSums, m0), row, columns, narrow);
        StoreNarrow<TForm>(requantizer, sums + width, RowSum<TForm>(source, rowSums, m0 + 1), row + n, columns, narrow);
        StoreNarrow<TForm>(requantizer, sums + 2 * width, RowSum<TForm>(source, rowSums, m0 + 2), row + 2 * n, columns, narrow);
        StoreNarrow<TForm>(requantizer, sums + 3 * width, RowSum<TForm>(source, rowSums, m0 + 3), row + 3 * n, columns, narrow);
    }

    /// <summary>One row's bytes; the last panel, when narrower than a tile, goes through <paramref name="narrow"/> so that nothing is written past N.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TForm>(in PanelRequantizer requantizer, int* sums, int rowSum, byte* y, int columns, byte* narrow)
        where TForm : struct, IRequantizeForm
    {
        if (columns == TTile.Width) TTile.Store<TForm>(requantizer, sums, rowSum, y);
        else StoreNarrow<TForm>(requantizer, sums, rowSum, y, columns, narrow);
    }

    /// <summary>One row's bytes of a panel narrower than a tile, through <paramref name="narrow"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreNarrow<TForm>(in PanelRequantizer requantizer, int* sums, int rowSum, byte* y, int columns, byte* narrow)
        where TForm : struct, IRequantizeForm
    {
        TTile.Store<TForm>(requantizer, sums, rowSum, narrow);
        if (Avx512BW.VL.IsSupported)
        {
            // A masked vmovdqu8 writes (and faults on) no byte outside the mask; a copy would be a call, around which
            // the JIT spills the tile's registers on every row of the last panel.
            var mask = Vector256.LessThan(Vector256<byte>.Indices, Vector256.Create((byte)columns));
            Avx512BW.VL.MaskStore(y, mask, Vector256.Load(narrow));
            return;
        }
        for (int c = 0; c < columns; c++) y[c] = narrow[c];
    }

    /// <summary>Row <paramref name="m"/>'s sum for the weight zero points' term; a plain requantize has none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RowSum<TForm>(Rows source, int* rowSums, int m)
        where TForm : struct, IRequantizeForm => TForm.IsPlain ? 0 : source.Sum(rowSums, m);

    /// <summary>
    /// The sums of whole tiles' rows from row <paramref name="m0"/> on, for <see cref="StoreWholeTile{TForm}"/>, or null where
    /// there are none. Whole tiles' rows are rows of A, none past the last, so they need <see cref="RowSum{TForm}"/>'s clamp no more.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int* WholeTileRowSums<TForm>(int* rowSums, int m0)
        where TForm : struct, IRequantizeForm => TForm.IsPlain || rowSums == null ? null : rowSums + m0;
}

/// <summary>Two tiles' sums (a cache line's alignment) and one row of the last, narrower panel, on the driver's stack.</summary>
internal readonly unsafe struct TileScratch(int* sums, byte* narrow)
{
    public int* Sums => sums;

    public byte* Narrow => narrow;
}

/// <summary>How many rows of A a GEMM takes at a time.</summary>
internal static class GemmBlocking
{
    /// <summary>
    /// Rows of A per block, in whole tiles: about 16 KB of activations, half of L1, and no more than 16 KB of output, so
    /// that the block's output lines stay in L1 while each panel writes its columns of them (a small K and a wide N
    /// otherwise write every line back to L2 once per panel).
    /// </summary>
    public static int Rows(int k, int n, int tileRows) => Math.Max(tileRows, 16384 / Math.Max(1, Math.Max(k, n)) / tileRows * tileRows);
}
