using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Float;

/// <summary>
/// C = bias + A·B (or C += A·B) for B of at most four columns, with A in row panels. Vectorised over rows of A
/// instead of columns of B, so no lane is wasted however narrow B is: each step loads four vectors of A once and
/// multiplies them by every column of B. Such products are bound by how fast A streams in (the late layers of
/// MobileNetV2 at batch 1), and this reads each weight exactly once, in order. With k in blocks (<see cref="KBlocks"/>)
/// each block's sums are taken from 0 and added, in registers and stack, to the sums so far, the bias to the first.
/// </summary>
internal static unsafe class NarrowGemm
{
    public const int MaxColumns = 4;

    public static long ScratchFloats(int k, int n) => (long)k * n;

    public static void Run<TSource>(
        FloatKernelPath path, float* packedA, int m, KBlocks k, ref TSource b, int n, BatchedMatrix c, float* bias, bool accumulate, float* scratch)
        where TSource : struct, IColumnSource
    {
        b.Pack(0, n, n, scratch);
        switch (path)
        {
            case FloatKernelPath.Vector512: Run<Path512, Vector512<float>>(packedA, m, k, scratch, n, c, bias, accumulate); break;
            case FloatKernelPath.Vector256: Run<Path256, Vector256<float>>(packedA, m, k, scratch, n, c, bias, accumulate); break;
            case FloatKernelPath.Vector128: Run<Path128, Vector128<float>>(packedA, m, k, scratch, n, c, bias, accumulate); break;
            default: Run<PathScalar, float>(packedA, m, k, scratch, n, c, bias, accumulate); break;
        }
    }

    private static void Run<TPath, TVector>(float* packedA, int m, KBlocks k, float* b, int n, BatchedMatrix c, float* bias, bool accumulate)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
    {
        switch (n)
        {
            case 1: Run<TPath, TVector, One>(packedA, m, k, b, c, bias, accumulate); break;
            case 2: Run<TPath, TVector, Two>(packedA, m, k, b, c, bias, accumulate); break;
            case 3: Run<TPath, TVector, Three>(packedA, m, k, b, c, bias, accumulate); break;
            default: Run<TPath, TVector, Four>(packedA, m, k, b, c, bias, accumulate); break;
        }
    }

    [SkipLocalsInit]
    private static void Run<TPath, TVector, TColumns>(float* packedA, int m, KBlocks k, float* b, BatchedMatrix c, float* bias, bool accumulate)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
        where TColumns : struct, IConstant
    {
        var output = new Output(c, TColumns.Value, bias, accumulate);
        int groupRows = 4 * TPath.Count;
        int row = 0;
        for (; row + groupRows <= Panels.Padded(m) && row < m; row += groupRows)
        {
            Rows<TPath, TVector, TColumns, Four>(packedA, m, k, b, row, ref output);
        }
        for (; row < m; row += TPath.Count)
        {
            Rows<TPath, TVector, TColumns, One>(packedA, m, k, b, row, ref output);
        }
    }

    /// <summary>TVectors × Count rows starting at <paramref name="row"/>, against every column of B.</summary>
    [SkipLocalsInit]
    private static void Rows<TPath, TVector, TColumns, TVectors>(
        float* packedA, int m, KBlocks blocks, float* b, int row, ref Output output)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
        where TColumns : struct, IConstant
        where TVectors : struct, IConstant
    {
        int n = TColumns.Value, count = TPath.Count;
        float* sums = stackalloc float[16 * Vector512<float>.Count];
        float* totals = stackalloc float[16 * Vector512<float>.Count];
        for (int block = 0; block < blocks.Count; block++)
        {
            BlockSums<TPath, TVector, TColumns, TVectors>(packedA, m, blocks, block, b, row, sums);
            b += (long)blocks.Length(block) * n;
            if (blocks.Count > 1) output.Fold<TPath, TVector>(sums, totals, block, row, m, TVectors.Value, n);
        }
        bool blocked = blocks.Count > 1;
        for (int v = 0; v < TVectors.Value; v++)
        {
            int first = row + v * count;
            for (int j = 0; j < n; j++) output.Write((blocked ? totals : sums) + (4 * v + j) * count, first, Math.Min(count, m - first), j, addBias: !blocked);
        }
    }

    /// <summary>One block's sums, from 0, of TVectors × Count rows from <paramref name="row"/> against every column of B, stored to <paramref name="sums"/>.</summary>
    [SkipLocalsInit]
    private static void BlockSums<TPath, TVector, TColumns, TVectors>(float* packedA, int m, KBlocks blocks, int block, float* b, int row, float* sums)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
        where TColumns : struct, IConstant
        where TVectors : struct, IConstant
    {
        int n = TColumns.Value, count = TPath.Count, k = blocks.Length(block);
        float* a0 = blocks.RowStart(packedA, block, row);
        float* a1 = TVectors.Value > 1 ? blocks.RowStart(packedA, block, row + count) : a0;
        float* a2 = TVectors.Value > 2 ? blocks.RowStart(packedA, block, row + 2 * count) : a0;
        float* a3 = TVectors.Value > 3 ? blocks.RowStart(packedA, block, row + 3 * count) : a0;
        TVector s00 = TPath.Zero, s01 = TPath.Zero, s02 = TPath.Zero, s03 = TPath.Zero;
        TVector s10 = TPath.Zero, s11 = TPath.Zero, s12 = TPath.Zero, s13 = TPath.Zero;
        TVector s20 = TPath.Zero, s21 = TPath.Zero, s22 = TPath.Zero, s23 = TPath.Zero;
        TVector s30 = TPath.Zero, s31 = TPath.Zero, s32 = TPath.Zero, s33 = TPath.Zero;
        for (int p = 0; p < k; p++)
        {
            TVector b0 = TPath.Broadcast(b[0]);
            TVector b1 = n > 1 ? TPath.Broadcast(b[1]) : b0;
            TVector b2 = n > 2 ? TPath.Broadcast(b[2]) : b0;
            TVector b3 = n > 3 ? TPath.Broadcast(b[3]) : b0;
            TVector x = TPath.Load(a0);
            s00 = TPath.MultiplyAdd(x, b0, s00);
            if (n > 1) s01 = TPath.MultiplyAdd(x, b1, s01);
            if (n > 2) s02 = TPath.MultiplyAdd(x, b2, s02);
            if (n > 3) s03 = TPath.MultiplyAdd(x, b3, s03);
            if (TVectors.Value > 1)
            {
                x = TPath.Load(a1);
                s10 = TPath.MultiplyAdd(x, b0, s10);
                if (n > 1) s11 = TPath.MultiplyAdd(x, b1, s11);
                if (n > 2) s12 = TPath.MultiplyAdd(x, b2, s12);
                if (n > 3) s13 = TPath.MultiplyAdd(x, b3, s13);
                x = TPath.Load(a2);
                s20 = TPath.MultiplyAdd(x, b0, s20);
                if (n > 1) s21 = TPath.MultiplyAdd(x, b1, s21);
                if (n > 2) s22 = TPath.MultiplyAdd(x, b2, s22);
                if (n > 3) s23 = TPath.MultiplyAdd(x, b3, s23);
                x = TPath.Load(a3);
                s30 = TPath.MultiplyAdd(x, b0, s30);
                if (n > 1) s31 = TPath.MultiplyAdd(x, b1, s31);
                if (n > 2) s32 = TPath.MultiplyAdd(x, b2, s32);
                if (n > 3) s33 = TPath.MultiplyAdd(x, b3, s33);
            }
            a0 += Panels.Width; a1 += Panels.Width; a2 += Panels.Width; a3 += Panels.Width;
            b += n;
        }

        // Spill the sums to the stack before any call: a call with them live makes the JIT spill them inside the loop.
        TPath.Store(sums, s00); TPath.Store(sums + count, s01); TPath.Store(sums + 2 * count, s02); TPath.Store(sums + 3 * count, s03);
        TPath.Store(sums + 4 * count, s10); TPath.Store(sums + 5 * count, s11); TPath.Store(sums + 6 * count, s12); TPath.Store(sums + 7 * count, s13);
        TPath.Store(sums + 8 * count, s20); TPath.Store(sums + 9 * count, s21); TPath.Store(sums + 10 * count, s22); TPath.Store(sums + 11 * count, s23);
        TPath.Store(sums + 12 * count, s30); TPath.Store(sums + 13 * count, s31); TPath.Store(sums + 14 * count, s32); TPath.Store(sums + 15 * count, s33);
    }

    /// <summary>Where the narrow product's columns go, found once per call.</summary>
    private struct Output
    {
        private fixed long columnStarts[MaxColumns];
        private readonly nint rowStride;
        private readonly float* bias;
        private readonly bool accumulate;

        public Output(BatchedMatrix c, int columns, float* bias, bool accumulate)
        {
            fixed (long* starts = columnStarts) c.ColumnStarts(0, columns, (float**)starts);
            rowStride = c.RowStride;
            this.bias = bias;
            this.accumulate = accumulate;
        }

        /// <summary>
        /// Block <paramref name="block"/>'s <paramref name="sums"/> into the <paramref name="totals"/>: the first block's
        /// plus the bias, as <see cref="Write"/> would add it, each later block's added to them.
        /// </summary>
        public readonly void Fold<TPath, TVector>(float* sums, float* totals, int block, int row, int m, int vectors, int columns)
            where TPath : struct, IFloatPath<TVector>
            where TVector : struct
        {
            int count = TPath.Count;
            for (int v = 0; v < vectors; v++)
            {
                for (int j = 0; j < columns; j++)
                {
                    int at = (4 * v + j) * count;
                    TVector blockSum = TPath.Load(sums + at);
                    TPath.Store(totals + at, block == 0 ? blockSum : TPath.Add(TPath.Load(totals + at), blockSum));
                    if (block != 0 || bias == null) continue;
                    int first = row + v * count;
                    for (int i = 0; i < Math.Min(count, m - first); i++) totals[at + i] += bias[first + i];
                }
            }
        }

        /// <summary>Adds bias (unless <paramref name="addBias"/> is false) or C to <paramref name="rows"/> sums and stores them down <paramref name="column"/> from <paramref name="row"/>.</summary>
        public void Write(float* sums, int row, int rows, int column, bool addBias)
        {
            float* target = (float*)columnStarts[column] + row * rowStride;
            for (int i = 0; i < rows; i++)
            {
                float sum = sums[i];
                if (addBias && bias != null) sum += bias[row + i];
                if (accumulate) sum += target[i * rowStride];
                target[i * rowStride] = sum;
            }
        }
    }
}
