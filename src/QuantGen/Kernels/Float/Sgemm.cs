namespace QuantGen.Kernels.Float;

/// <summary>Single-precision matrix product on one thread, on the widest <see cref="FloatKernelPath"/> the machine has.</summary>
public static unsafe class Sgemm
{
    /// <summary>
    /// C = A·B, or C += A·B when <paramref name="accumulate"/>. Row-major: A is [m, k] with rows
    /// <paramref name="lda"/> apart, B [k, n] with rows <paramref name="ldb"/> apart, C [m, n] with rows
    /// <paramref name="ldc"/> apart. C must not overlap A or B. Steady-state calls allocate nothing: A is packed
    /// into per-thread scratch (<c>FloatScratch</c>); for n ≤ 4 it is not packed at all but streamed once.
    /// </summary>
    public static void Multiply(
        int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckOperand(a, nameof(a), m, k, lda, nameof(lda));
        CheckOperand(b, nameof(b), k, n, ldb, nameof(ldb));
        CheckOperand(c, nameof(c), m, n, ldc, nameof(ldc));
        if (m == 0 || n == 0) return;

        FloatKernelPath path = FloatKernelPaths.Current;
        float* scratch = FloatScratch.Acquire(MatrixProduct.RawScratchFloats(m, k, n));
        fixed (float* pa = a, pb = b, pc = c)
        {
            MatrixProduct.WithRawA(
                path, pa, lda, m, k, BatchedMatrix.RowMajor(pb, ldb, n), n, BatchedMatrix.RowMajor(pc, ldc, n), null, accumulate, scratch);
        }
    }

    private static void CheckOperand(ReadOnlySpan<float> matrix, string name, int rows, int columns, int leadingDimension, string ldName)
    {
        if (rows == 0 || columns == 0) return;
        if (leadingDimension < columns)
        {
            throw new ArgumentOutOfRangeException(ldName, leadingDimension, $"A row of {name} holds {columns} values, so its leading dimension must be at least that.");
        }
        long needed = (long)(rows - 1) * leadingDimension + columns;
        if (matrix.Length < needed)
        {
            throw new ArgumentException($"{name} is {rows}×{columns} with leading dimension {leadingDimension}, which needs {needed} values; it has {matrix.Length}.", name);
        }
    }
}
