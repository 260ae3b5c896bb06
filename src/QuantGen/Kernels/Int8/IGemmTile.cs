namespace QuantGen.Kernels.Int8;

/// <summary>
/// The part of the GEMM that differs per instruction set: one register tile's K loop and its requantize.
/// <see cref="GemmDriver{TTile, TExact}"/> owns everything around it (row blocks, the panel loop, the rows and columns left
/// over, the accumulators' way out), so an optimisation there reaches every path at once. Tiles are structs with
/// static members only: each driver instantiation is compiled for its tile, with the tile inlined.
/// </summary>
/// <remarks>
/// A tile is four rows by <see cref="Width"/> columns, the width of one packed panel (<see cref="QGemm.PanelWidth"/>).
/// The sums it writes include the panel's offsets (the bias and the zero-point terms that do not depend on the row):
/// every tile starts its accumulators at them, so that no add is left for the way out. They leave the K loop through
/// memory, once per tile: left live into the epilogue, the JIT keeps some of them on the stack and stores them on every
/// K step. The zmm tile, with 32 registers, is the exception (<see cref="RequantizesFromRegisters"/>). Every step broadcasts one 32-bit lane of its rows (<see cref="Steps.Lane"/>): four bytes, or two or one
/// activations widened by the driver.
/// </remarks>
internal unsafe interface IGemmTile
{
    /// <summary>Output columns per panel.</summary>
    static abstract int Width { get; }

    /// <summary>How the tile's K loop reads A: <see cref="GemmDriver{TTile, TExact}"/> widens the rows of the wider kinds first.</summary>
    static abstract StepKind Kind { get; }

    /// <summary>
    /// Four rows, from <paramref name="a"/> every <paramref name="stride"/> bytes, against one panel: 4 × <see cref="Width"/>
    /// int32 sums, offsets included, row by row, into <paramref name="sums"/>. A base and a stride, not four row pointers:
    /// with four pointers and a column index live beside the accumulators, the JIT kept the pointers on the stack and
    /// reloaded each one every step (0.96–0.98 of the expansions' time so, Sapphire Rapids, bench/RESULTS.md). The first <paramref name="pairedSteps"/> steps (an even
    /// number) may be taken two at a time (<see cref="IDot256.DotTwo"/>): the packing is exact that way
    /// (<see cref="StepPairing"/>); a tile that takes every step alone is exact too.
    /// </summary>
    static abstract void Four(byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* offsets, int* sums);

    /// <summary>
    /// One row against one panel, for the rows left over by whole tiles (all of them at batch 1 on a 1×1 image), which
    /// a four-row tile would compute four times: <see cref="Width"/> sums into <paramref name="sums"/>.
    /// </summary>
    /// <remarks><paramref name="pairedSteps"/> as in <see cref="Four"/>.</remarks>
    static abstract void One(byte* a, byte* panel, int steps, int pairedSteps, int* offsets, int* sums);

    /// <summary><see cref="Width"/> sums of one row requantized into <see cref="Width"/> bytes at <paramref name="y"/>.</summary>
    static abstract void Store<TForm>(in PanelRequantizer requantizer, int* sums, int rowSum, byte* y)
        where TForm : struct, IRequantizeForm;

    /// <summary>
    /// Whether the tile has a K loop over the first half of a panel (<see cref="FourHalf"/>), for a last panel of at most
    /// <see cref="Width"/> / 2 columns: N = 144 on 32-column panels computes 16 columns there, not 32.
    /// </summary>
    static virtual bool HasHalfPanels => false;

    /// <summary>
    /// <see cref="Four"/> over the panel's first <see cref="Width"/> / 2 columns: each row's first half of
    /// <paramref name="sums"/> written, the second half left as it was (the narrow store reads no column past N). Only
    /// called where <see cref="HasHalfPanels"/>.
    /// </summary>
    static virtual void FourHalf(byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* offsets, int* sums) =>
        throw new NotSupportedException();

    /// <summary>
    /// Whether the tile requantizes two rows of a whole panel at once (<see cref="StoreTwoRows"/>): where its requantize
    /// packs each row with itself, packing two rows together halves the packs and the permutes.
    /// </summary>
    static virtual bool StoresTwoRows => false;

    /// <summary>
    /// Two rows' <see cref="Width"/> sums (<paramref name="sums"/>, the second row's after the first's) requantized into
    /// <paramref name="y0"/> and <paramref name="y1"/>. Only called where <see cref="StoresTwoRows"/>.
    /// </summary>
    static virtual void StoreTwoRows<TForm>(in PanelRequantizer requantizer, int* sums, int rowSum0, int rowSum1, byte* y0, byte* y1)
        where TForm : struct, IRequantizeForm => throw new NotSupportedException();

    /// <summary>
    /// Whether the tile has the registers to requantize its rows straight from its accumulators
    /// (<see cref="FourRequantized"/>): the zmm tile, whose 32 registers hold them with room for the requantize.
    /// </summary>
    static virtual bool RequantizesFromRegisters => false;

    /// <summary>
    /// <see cref="Four"/>'s rows, the panel's pairing corrections added (<paramref name="corrections"/>, read from
    /// the rows at <paramref name="a"/>: rows of bytes, as every packing with corrections has), requantized
    /// into <paramref name="output"/> from the accumulators. Only called where <see cref="RequantizesFromRegisters"/>.
    /// </summary>
    static virtual void FourRequantized<TForm>(
        byte* a, nint stride, byte* panel, int steps, int pairedSteps, PanelCorrections.Span corrections,
        in PanelRequantizer requantizer, in TileOutput output)
        where TForm : struct, IRequantizeForm => throw new NotSupportedException();
}

/// <summary>Where a tile's four rows of one panel go: the first row's bytes, the output's row length, the columns the panel fills, and each row's sum for the weight zero points' term.</summary>
internal readonly unsafe struct TileOutput(byte* y, int n, int columns, int rowSum0, int rowSum1, int rowSum2, int rowSum3)
{
    public byte* Y => y;

    public int N => n;

    public int Columns => columns;

    public int RowSum0 => rowSum0;

    public int RowSum1 => rowSum1;

    public int RowSum2 => rowSum2;

    public int RowSum3 => rowSum3;
}
