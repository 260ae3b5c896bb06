namespace QuantGen.Kernels.Float;

/// <summary>
/// Chooses the GEMM driver for a product's shape. B of at most <see cref="NarrowGemm.MaxColumns"/> columns
/// would fill one lane in four of a 16-wide tile, so it goes to a kernel vectorised over rows or over k;
/// anything wider goes to the register-tiled <see cref="PanelGemm"/>.
/// </summary>
internal static unsafe class MatrixProduct
{
    public static bool IsNarrow(int n) => n <= NarrowGemm.MaxColumns;

    public static long RawScratchFloats(int m, int k, int n) =>
        IsNarrow(n) ? 2L * k * n : (long)Panels.Padded(m) * k + PanelGemm.ScratchFloats(k, n);

    /// <summary>C = bias + A·B (or C += A·B) with A row-major as the caller holds it.</summary>
    public static void WithRawA(
        FloatKernelPath path, float* a, nint lda, int m, int k, BatchedMatrix b, int n, BatchedMatrix c, float* bias, bool accumulate, float* scratch)
    {
        var source = new MatrixColumns(b, k);
        if (IsNarrow(n))
        {
            float* columns = scratch, transposed = scratch + (long)k * n;
            source.Pack(0, n, n, columns);
            for (int p = 0; p < k; p++)
            {
                for (int j = 0; j < n; j++) transposed[(long)j * k + p] = columns[p * n + j];
            }
            DotGemm.Run(path, a, lda, m, k, transposed, k, n, c, bias, accumulate);
            return;
        }
        Panels.PackRows(a, (int)lda, m, k, scratch);
        PanelGemm.Run(path, scratch, m, KBlocks.One(k), ref source, n, c, bias, accumulate, scratch + (long)Panels.Padded(m) * k);
    }

    public static long PackedScratchFloats(int k, int n) =>
        IsNarrow(n) ? NarrowGemm.ScratchFloats(k, n) : PanelGemm.ScratchFloats(k, n);

    /// <summary>C = bias + A·B (or C += A·B) with A already in row panels (<see cref="Panels.PackRows"/>).</summary>
    public static void WithPackedA<TSource>(
        FloatKernelPath path, float* packedA, int m, int k, ref TSource b, int n, BatchedMatrix c, float* bias, bool accumulate, float* scratch)
        where TSource : struct, IColumnSource =>
        WithPackedA(path, packedA, m, KBlocks.One(k), ref b, n, c, bias, accumulate, scratch);

    /// <summary>
    /// As above with k in <paramref name="k"/>'s blocks, A packed block by block: C = the first block's product as above
    /// (with the bias), then each later block's, from 0, added in turn. One pass over B and C, with no partial sums in memory.
    /// </summary>
    public static void WithPackedA<TSource>(
        FloatKernelPath path, float* packedA, int m, KBlocks k, ref TSource b, int n, BatchedMatrix c, float* bias, bool accumulate, float* scratch)
        where TSource : struct, IColumnSource
    {
        if (IsNarrow(n)) NarrowGemm.Run(path, packedA, m, k, ref b, n, c, bias, accumulate, scratch);
        else PanelGemm.Run(path, packedA, m, k, ref b, n, c, bias, accumulate, scratch);
    }
}
