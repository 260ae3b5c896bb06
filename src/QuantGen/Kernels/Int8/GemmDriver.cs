using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The GEMM of every vector path: <see cref="QGemm"/>'s packed panels against rows of A, one register tile
/// (<typeparamref name="TTile"/>) at a time, requantized into Y [M × N].
/// </summary>
/// <remarks>
/// Tiles whose step multiplies activations wider than a byte (AVX2's and AVX-512BW's exact int16 pairs for inputs above
/// 127, the portable int32 lanes) read rows the driver has widened once per row block: each step's broadcast is then a
/// single load, where reading it from bytes took two byte loads, a shift, an or and a move into a vector register per
/// row — more instructions than the multiplies (measured on Zen 3's AVX2 path at 224×224: pointwise layers from 23 to 34
/// G MAC/s). The widening reads each activation once; every panel reads the widened block again from L1.
/// </remarks>
internal static unsafe class GemmDriver<TTile>
    where TTile : struct, IGemmTile
{
    private const int TileRows = 4;

    /// <summary>Widened rows up to this size go on the stack; larger ones (K over 2048 for pairs) borrow from the array pool.</summary>
    private const int StackWidenedBytes = 32 * 1024;

    public static void Run(QGemm g, Rows a, byte* y, int* rowSums)
    {
        int activationBytes = Steps.ActivationBytes(TTile.Kind);
        int whole = a.Count - a.Count % TileRows, block = GemmBlocking.Rows(g.K * activationBytes, g.N, TileRows);
        if (activationBytes == 1)
        {
            Run(g, a, y, rowSums, whole, block, widened: null);
            return;
        }
        // Room for one block of widened rows, or for the rows left over by whole tiles (fewer than one tile).
        int bytes = Math.Min(block, a.Count) * g.StepCount * Steps.LaneBytes;
        if (bytes <= StackWidenedBytes)
        {
            byte* widened = stackalloc byte[bytes];
            Run(g, a, y, rowSums, whole, block, widened);
            return;
        }
        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(bytes);
        try
        {
            fixed (byte* widened = rented) Run(g, a, y, rowSums, whole, block, widened);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The rows left over by whole tiles, then the blocks; each widened into <paramref name="widened"/> first when the step needs it.</summary>
    private static void Run(QGemm g, Rows a, byte* y, int* rowSums, int whole, int block, byte* widened)
    {
        // On a cache line of their own: a tile's vector stores of its sums are read back at once by the requantize, and a
        // store that straddles a line does not forward to the load (the stack is only 16-byte aligned).
        byte* sumsBytes = stackalloc byte[TileRows * TTile.Width * sizeof(int) + 63];
        int* sums = (int*)(((nint)sumsBytes + 63) & ~(nint)63);
        byte* narrow = stackalloc byte[Vector256<byte>.Count];   // one row of the widest tile
        var scratch = new Scratch(sums, narrow);
        bool plain = PlainRequantize.Fits(g.Epilogue);
        if (whole < a.Count)
        {
            Rows left = widened == null ? a : Widen(g, a, whole, a.Count, widened);
            if (plain) Leftover<PlainRequantize>(g, left, a, y, rowSums, whole, scratch);
            else Leftover<AnyRequantize>(g, left, a, y, rowSums, whole, scratch);
        }
        // Row blocks outside, panels inside: a block of A stays in L1 while every panel passes over it.
        for (int b0 = 0; b0 < whole; b0 += block)
        {
            int b1 = Math.Min(whole, b0 + block);
            Rows rows = widened == null ? a : Widen(g, a, b0, b1, widened);
            if (plain) Block<PlainRequantize>(g, rows, a, y, rowSums, b0, b1, scratch);
            else Block<AnyRequantize>(g, rows, a, y, rowSums, b0, b1, scratch);
        }
    }

    /// <summary>The rows from <paramref name="start"/> to the end (fewer than a tile), one at a time, against every panel.</summary>
    private static void Leftover<TForm>(QGemm g, Rows a, Rows source, byte* y, int* rowSums, int start, Scratch scratch)
        where TForm : struct, IRequantizeForm
    {
        int n = g.N, width = TTile.Width;
        for (int c0 = 0; c0 < n; c0 += width)
        {
            var requantizer = new PanelRequantizer(g.Epilogue, c0);
            byte* panel = g.Panels + (long)c0 * g.StepCount * 4;
            int columns = Math.Min(width, n - c0);
            for (int m = start; m < a.Count; m++)
            {
                TTile.One(a[m], panel, g.StepCount, requantizer.Offsets, scratch.Sums);
                Store<TForm>(requantizer, scratch.Sums, RowSum<TForm>(source, rowSums, m), y + (long)m * n + c0, columns, scratch.Narrow);
            }
        }
    }

    /// <summary>
    /// Rows <paramref name="start"/>…<paramref name="end"/> of <paramref name="a"/> with each activation zero-extended
    /// to <see cref="Steps.ActivationBytes"/>, whole steps, into <paramref name="into"/>: rows keep their numbers, so
    /// the tiles index them as they would <paramref name="a"/>.
    /// </summary>
    private static Rows Widen(QGemm g, Rows a, int start, int end, byte* into)
    {
        int stride = g.StepCount * Steps.LaneBytes, length = g.StepCount * Steps.Size(g.Kind);
        for (int m = start; m < end; m++)
        {
            byte* to = into + (long)(m - start) * stride;
            if (g.Kind == StepKind.Pair) RowWidening.ToUInt16(a[m], (ushort*)to, length);
            else RowWidening.ToInt32(a[m], (int*)to, length);
        }
        return Rows.Block(into, stride, start, end, a.Count);
    }

    /// <summary>
    /// Rows <paramref name="start"/>…<paramref name="end"/> (whole tiles) against every panel: one call a block, not a
    /// panel, since a small block (4 rows at batch 1 on a 2×2 image) costs little more than the call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // tiered code kept the accumulators on the stack
    private static void Block<TForm>(QGemm g, Rows a, Rows source, byte* y, int* rowSums, int start, int end, Scratch scratch)
        where TForm : struct, IRequantizeForm
    {
        int n = g.N, steps = g.StepCount, width = TTile.Width;
        int* sums = scratch.Sums;
        byte* narrow = scratch.Narrow;
        for (int c0 = 0; c0 < n; c0 += width)
        {
            var requantizer = new PanelRequantizer(g.Epilogue, c0);
            byte* panel = g.Panels + (long)c0 * steps * 4;
            int columns = Math.Min(width, n - c0);
            for (int m0 = start; m0 < end; m0 += TileRows)
            {
                TTile.Four(a[m0], a[m0 + 1], a[m0 + 2], a[m0 + 3], panel, steps, requantizer.Offsets, sums);
                byte* row = y + (long)m0 * n + c0;
                Store<TForm>(requantizer, sums, RowSum<TForm>(source, rowSums, m0), row, columns, narrow);
                Store<TForm>(requantizer, sums + width, RowSum<TForm>(source, rowSums, m0 + 1), row + n, columns, narrow);
                Store<TForm>(requantizer, sums + 2 * width, RowSum<TForm>(source, rowSums, m0 + 2), row + 2 * n, columns, narrow);
                Store<TForm>(requantizer, sums + 3 * width, RowSum<TForm>(source, rowSums, m0 + 3), row + 3 * n, columns, narrow);
            }
        }
    }

    /// <summary>One row's bytes; the last panel, when narrower than a tile, goes through <paramref name="narrow"/> so that nothing is written past N.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TForm>(in PanelRequantizer requantizer, int* sums, int rowSum, byte* y, int columns, byte* narrow)
        where TForm : struct, IRequantizeForm
    {
        if (columns == TTile.Width)
        {
            TTile.Store<TForm>(requantizer, sums, rowSum, y);
            return;
        }
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

    /// <summary>The tile's sums (a cache line's alignment) and one row of the last, narrower panel.</summary>
    private readonly struct Scratch(int* sums, byte* narrow)
    {
        public int* Sums => sums;

        public byte* Narrow => narrow;
    }
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
