using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Float;

/// <summary>
/// C = bias + A·B (or C += A·B) for wide B, by 16×16 register tiles: A packed in row panels, B packed block by
/// block into column panels. A block of packed B (≤ 256 KB) stays in L2 while every A panel passes over it, and
/// each A panel stays in L1 while it sweeps the block, so neither operand is fetched from memory twice per block.
/// With k in blocks (<see cref="KBlocks"/>) each tile takes its blocks in turn, the first into C, each later one
/// from 0 into a scratch tile that is then added to C while C is still in L1.
/// </summary>
internal static unsafe class PanelGemm
{
    private const int Width = Panels.Width;
    private const int BlockFloats = 64 * 1024;

    public static long ScratchFloats(int k, int n) => (long)Math.Max(k, 1) * BlockColumns(k, n) + 3 * Width * Width;

    public static void Run<TSource>(
        FloatKernelPath path, float* packedA, int m, KBlocks k, ref TSource b, int n, BatchedMatrix c, float* bias, bool accumulate, float* scratch)
        where TSource : struct, IColumnSource
    {
        switch (path)
        {
            case FloatKernelPath.Vector512: Run<Path512, Vector512<float>, TSource>(packedA, m, k, ref b, n, c, bias, accumulate, scratch); break;
            case FloatKernelPath.Vector256: Run<Path256, Vector256<float>, TSource>(packedA, m, k, ref b, n, c, bias, accumulate, scratch); break;
            case FloatKernelPath.Vector128: Run<Path128, Vector128<float>, TSource>(packedA, m, k, ref b, n, c, bias, accumulate, scratch); break;
            default: Run<PathScalar, float, TSource>(packedA, m, k, ref b, n, c, bias, accumulate, scratch); break;
        }
    }

    private static int BlockColumns(int k, int n) =>
        Math.Min(Panels.Padded(n), Math.Max(Width, BlockFloats / Math.Max(k, 1) / Width * Width));

    private static void Run<TPath, TVector, TSource>(
        float* packedA, int m, KBlocks blocks, ref TSource b, int n, BatchedMatrix c, float* bias, bool accumulate, float* scratch)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
        where TSource : struct, IColumnSource
    {
        if (accumulate && blocks.Count > 1) throw new ArgumentException("C += A·B takes k in one block.", nameof(accumulate));
        int k = blocks.K;
        int blockColumns = BlockColumns(k, n);
        float* packedB = scratch;
        float* tile = scratch + (long)Math.Max(k, 1) * blockColumns;
        float* tileBias = tile + Width * Width;
        float* blockTile = tileBias + Width;
        for (int first = 0; first < n; first += blockColumns)
        {
            int columns = Math.Min(blockColumns, n - first);
            b.Pack(first, columns, Width, packedB);
            for (int row = 0; row < m; row += Width)
            {
                int rows = Math.Min(Width, m - row);
                float* aPanel = packedA + (long)row * k;
                float* rowBias = bias == null ? null : bias + row;
                if (rowBias != null && rows < Width)
                {
                    // The tile reads 16 bias values; give it a padded copy rather than read past the end.
                    for (int r = 0; r < Width; r++) tileBias[r] = r < rows ? rowBias[r] : 0f;
                    rowBias = tileBias;
                }
                for (int offset = 0; offset < columns; offset += Width)
                {
                    int column = first + offset;
                    int cols = Math.Min(Width, n - column);
                    float* bPanel = packedB + (long)offset * k;
                    float* cTile = c.Column(column) + row * c.RowStride;
                    if (blocks.Count > 1 || (blocks.BiasAfterSum && rowBias != null))
                    {
                        BlockedTile<TPath, TVector>(packedA, m, blocks, bPanel, c, row, rows, column, cols, rowBias, tile, blockTile);
                    }
                    else if (rows == Width && cols == Width && c.ContiguousFrom(column) >= Width)
                    {
                        TPath.Tile(aPanel, bPanel, k, cTile, c.RowStride, rowBias, accumulate);
                    }
                    else
                    {
                        EdgeTile<TPath, TVector>(aPanel, bPanel, k, c, row, rows, column, cols, rowBias, accumulate, tile);
                    }
                }
            }
        }
    }

    /// <summary>
    /// A tile over k in blocks: the first block as a tile on its own (from the bias, or from 0 and then the bias added,
    /// <see cref="KBlocks.BiasAfterSum"/>), each later block's from 0 in <paramref name="blockTile"/>, added to it;
    /// straight into C where the tile is whole, else in <paramref name="tile"/> and copied out.
    /// </summary>
    private static void BlockedTile<TPath, TVector>(
        float* packedA, int m, KBlocks blocks, float* bPanel, BatchedMatrix c, int row, int rows, int column, int cols, float* rowBias, float* tile, float* blockTile)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
    {
        bool whole = rows == Width && cols == Width && c.ContiguousFrom(column) >= Width;
        float* target = whole ? c.Column(column) + row * c.RowStride : tile;
        nint stride = whole ? c.RowStride : Width;
        for (int block = 0; block < blocks.Count; block++)
        {
            float* aPanel = blocks.RowStart(packedA, block, row);
            float* bRows = bPanel + (long)blocks.First(block) * Width;
            if (block == 0)
            {
                TPath.Tile(aPanel, bRows, blocks.Length(block), target, stride, blocks.BiasAfterSum ? null : rowBias, false);
                if (blocks.BiasAfterSum && rowBias != null) AddPerRow<TPath, TVector>(target, stride, rowBias);
                continue;
            }
            TPath.Tile(aPanel, bRows, blocks.Length(block), blockTile, Width, null, false);
            for (int r = 0; r < Width; r++)
            {
                float* into = target + r * stride, from = blockTile + r * Width;
                for (int j = 0; j < Width; j += TPath.Count) TPath.Store(into + j, TPath.Add(TPath.Load(into + j), TPath.Load(from + j)));
            }
        }
        if (whole) return;
        float** columnStarts = stackalloc float*[Width];
        c.ColumnStarts(column, cols, columnStarts);
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < cols; j++) columnStarts[j][(row + r) * c.RowStride] = tile[r * Width + j];
        }
    }

    /// <summary>Each row of a 16×16 tile plus its bias value.</summary>
    private static void AddPerRow<TPath, TVector>(float* tile, nint stride, float* rowBias)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
    {
        for (int r = 0; r < Width; r++)
        {
            float* row = tile + r * stride;
            TVector bias = TPath.Broadcast(rowBias[r]);
            for (int j = 0; j < Width; j += TPath.Count) TPath.Store(row + j, TPath.Add(TPath.Load(row + j), bias));
        }
    }

    /// <summary>A tile cut by the matrix edge or split across images: computed whole in scratch, copied out in part.</summary>
    [SkipLocalsInit]
    private static void EdgeTile<TPath, TVector>(
        float* aPanel, float* bPanel, int k, BatchedMatrix c, int row, int rows, int column, int cols, float* rowBias, bool accumulate, float* tile)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
    {
        float** columnStarts = stackalloc float*[Width];
        c.ColumnStarts(column, cols, columnStarts);
        for (int j = 0; j < cols; j++) columnStarts[j] += row * c.RowStride;
        if (accumulate)
        {
            new Span<float>(tile, Width * Width).Clear();
            for (int r = 0; r < rows; r++)
            {
                for (int j = 0; j < cols; j++) tile[r * Width + j] = columnStarts[j][r * c.RowStride];
            }
        }
        TPath.Tile(aPanel, bPanel, k, tile, Width, rowBias, accumulate);
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < cols; j++) columnStarts[j][r * c.RowStride] = tile[r * Width + j];
        }
    }
}
