using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Float;

/// <summary>
/// C = bias + A·B (or C += A·B) for B of at most four columns, with A as given (row-major, unpacked) and B
/// given as its transpose (one row of k values per column). Each output is a dot product vectorised over k:
/// four rows of A are streamed once, in order, against every column. For callers with raw weights: a GEMV
/// (Linear at batch 1), or an unpacked narrow pointwise conv, where packing A would cost more than the product.
/// </summary>
internal static unsafe class DotGemm
{
    public const int MaxColumns = 4;

    public static void Run(
        FloatKernelPath path, float* a, nint lda, int m, int k, float* bTransposed, nint ldb, int n, BatchedMatrix c, float* bias, bool accumulate)
    {
        switch (path)
        {
            case FloatKernelPath.Vector512: Run<Path512, Vector512<float>>(a, lda, m, k, bTransposed, ldb, n, c, bias, accumulate); break;
            case FloatKernelPath.Vector256: Run<Path256, Vector256<float>>(a, lda, m, k, bTransposed, ldb, n, c, bias, accumulate); break;
            case FloatKernelPath.Vector128: Run<Path128, Vector128<float>>(a, lda, m, k, bTransposed, ldb, n, c, bias, accumulate); break;
            default: Run<PathScalar, float>(a, lda, m, k, bTransposed, ldb, n, c, bias, accumulate); break;
        }
    }

    private static void Run<TPath, TVector>(float* a, nint lda, int m, int k, float* b, nint ldb, int n, BatchedMatrix c, float* bias, bool accumulate)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
    {
        switch (n)
        {
            case 1: Run<TPath, TVector, One>(a, lda, m, k, b, ldb, c, bias, accumulate); break;
            case 2: Run<TPath, TVector, Two>(a, lda, m, k, b, ldb, c, bias, accumulate); break;
            case 3: Run<TPath, TVector, Three>(a, lda, m, k, b, ldb, c, bias, accumulate); break;
            default: Run<TPath, TVector, Four>(a, lda, m, k, b, ldb, c, bias, accumulate); break;
        }
    }

    private static void Run<TPath, TVector, TColumns>(float* a, nint lda, int m, int k, float* b, nint ldb, BatchedMatrix c, float* bias, bool accumulate)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
        where TColumns : struct, IConstant
    {
        Output output = default;
        c.ColumnStarts(0, TColumns.Value, (float**)output.ColumnStarts);
        output.RowStride = c.RowStride;
        output.Bias = bias;
        output.Accumulate = accumulate;
        int row = 0;
        for (; row + 4 <= m; row += 4) Rows<TPath, TVector, TColumns, Four>(a, lda, k, b, ldb, row, ref output);
        for (; row < m; row++) Rows<TPath, TVector, TColumns, One>(a, lda, k, b, ldb, row, ref output);
    }

    /// <summary>TRows rows of C from <paramref name="row"/> on, every column.</summary>
    [SkipLocalsInit]
    private static void Rows<TPath, TVector, TColumns, TRows>(
        float* a, nint lda, int k, float* b, nint ldb, int row, ref Output output)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
        where TColumns : struct, IConstant
        where TRows : struct, IConstant
    {
        int n = TColumns.Value, rows = TRows.Value;
        float* a0 = a + row * lda;
        float* a1 = rows > 1 ? a0 + lda : a0;
        float* a2 = rows > 2 ? a0 + 2 * lda : a0;
        float* a3 = rows > 3 ? a0 + 3 * lda : a0;
        float* b0 = b, b1 = n > 1 ? b + ldb : b, b2 = n > 2 ? b + 2 * ldb : b, b3 = n > 3 ? b + 3 * ldb : b;
        TVector s00 = TPath.Zero, s01 = TPath.Zero, s02 = TPath.Zero, s03 = TPath.Zero;
        TVector s10 = TPath.Zero, s11 = TPath.Zero, s12 = TPath.Zero, s13 = TPath.Zero;
        TVector s20 = TPath.Zero, s21 = TPath.Zero, s22 = TPath.Zero, s23 = TPath.Zero;
        TVector s30 = TPath.Zero, s31 = TPath.Zero, s32 = TPath.Zero, s33 = TPath.Zero;
        int p = 0;
        for (; p + TPath.Count <= k; p += TPath.Count)
        {
            TVector x0 = TPath.Load(b0 + p);
            TVector x1 = n > 1 ? TPath.Load(b1 + p) : x0;
            TVector x2 = n > 2 ? TPath.Load(b2 + p) : x0;
            TVector x3 = n > 3 ? TPath.Load(b3 + p) : x0;
            TVector w = TPath.Load(a0 + p);
            s00 = TPath.MultiplyAdd(w, x0, s00);
            if (n > 1) s01 = TPath.MultiplyAdd(w, x1, s01);
            if (n > 2) s02 = TPath.MultiplyAdd(w, x2, s02);
            if (n > 3) s03 = TPath.MultiplyAdd(w, x3, s03);
            if (rows > 1)
            {
                w = TPath.Load(a1 + p);
                s10 = TPath.MultiplyAdd(w, x0, s10);
                if (n > 1) s11 = TPath.MultiplyAdd(w, x1, s11);
                if (n > 2) s12 = TPath.MultiplyAdd(w, x2, s12);
                if (n > 3) s13 = TPath.MultiplyAdd(w, x3, s13);
                w = TPath.Load(a2 + p);
                s20 = TPath.MultiplyAdd(w, x0, s20);
                if (n > 1) s21 = TPath.MultiplyAdd(w, x1, s21);
                if (n > 2) s22 = TPath.MultiplyAdd(w, x2, s22);
                if (n > 3) s23 = TPath.MultiplyAdd(w, x3, s23);
                w = TPath.Load(a3 + p);
                s30 = TPath.MultiplyAdd(w, x0, s30);
                if (n > 1) s31 = TPath.MultiplyAdd(w, x1, s31);
                if (n > 2) s32 = TPath.MultiplyAdd(w, x2, s32);
                if (n > 3) s33 = TPath.MultiplyAdd(w, x3, s33);
            }
        }

        // Reduce every sum before any call: a call with them live makes the JIT spill them inside the loop.
        float* sums = stackalloc float[16];
        sums[0] = TPath.Sum(s00); sums[1] = TPath.Sum(s01); sums[2] = TPath.Sum(s02); sums[3] = TPath.Sum(s03);
        sums[4] = TPath.Sum(s10); sums[5] = TPath.Sum(s11); sums[6] = TPath.Sum(s12); sums[7] = TPath.Sum(s13);
        sums[8] = TPath.Sum(s20); sums[9] = TPath.Sum(s21); sums[10] = TPath.Sum(s22); sums[11] = TPath.Sum(s23);
        sums[12] = TPath.Sum(s30); sums[13] = TPath.Sum(s31); sums[14] = TPath.Sum(s32); sums[15] = TPath.Sum(s33);
        float** bRows = stackalloc float*[] { b0, b1, b2, b3 };
        for (int r = 0; r < rows; r++)
        {
            float* aRow = a0 + r * lda;
            for (int j = 0; j < n; j++)
            {
                float sum = sums[4 * r + j];
                for (int q = p; q < k; q++) sum = float.MultiplyAddEstimate(aRow[q], bRows[j][q], sum);
                float* target = (float*)output.ColumnStarts[j] + (row + r) * output.RowStride;
                if (output.Bias != null) sum += output.Bias[row + r];
                if (output.Accumulate) sum += *target;
                *target = sum;
            }
        }
    }

    /// <summary>Where the product's columns go, found once per call.</summary>
    private struct Output
    {
        public fixed long ColumnStarts[MaxColumns];
        public nint RowStride;
        public float* Bias;
        public bool Accumulate;
    }
}
