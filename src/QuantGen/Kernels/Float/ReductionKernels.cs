namespace QuantGen.Kernels.Float;

/// <summary>
/// The mean along one axis, summed in the order PyTorch 1.13's CPU <c>sum</c> uses (its <c>mean</c> is that sum divided
/// by the count; <c>SumKernel.cpp</c>), so that it equals PyTorch's bit for bit. That order depends on PyTorch's SIMD
/// width: this is its AVX2 kernels' (8 floats a vector), which Debian's 1.13 runs on x64 (<c>Fixtures/mean.py</c> checks
/// it); an AVX-512 build would split the columns of a reduction over a non-last dimension at 64 rather than 32. Sums of
/// more than PyTorch's grain (32,768 values) it may split over threads, which this does not follow.
/// </summary>
public static class ReductionKernels
{
    private const int Levels = 4;

    /// <summary>PyTorch's vector of floats (AVX2).</summary>
    private const int Lanes = 8;

    /// <summary>How many interleaved sums PyTorch's <c>row_sum</c> (and its multi-column step) keeps.</summary>
    private const int Ilp = 4;

    /// <summary>
    /// The mean along the middle axis of an [outer, size, inner] view: output [outer, inner], each value the sum of its
    /// <paramref name="size"/> inputs in PyTorch's order divided by <paramref name="size"/> in float.
    /// </summary>
    public static void Mean(ReadOnlySpan<float> input, int outer, int size, int inner, Span<float> output)
    {
        for (int o = 0; o < outer; o++)
        {
            ReadOnlySpan<float> block = input.Slice(o * size * inner, size * inner);
            if (inner == 1)
            {
                output[o] = ContiguousSum(block) / size;
                continue;
            }

            // Columns go through in groups of four (four vectors of them, once there are a vector's worth), each column
            // summed down its rows in one cascade; the columns left over each in four interleaved cascades.
            int grouped = inner >= Lanes ? inner / (Ilp * Lanes) * Ilp * Lanes : inner / Ilp * Ilp;
            for (int k = 0; k < inner; k++)
            {
                float sum = k < grouped ? CascadeSum(block, k, inner, size) : RowSum(block, k, inner, size);
                output[o * inner + k] = sum / size;
            }
        }
    }

    /// <summary>
    /// Σ x[start + i·stride] for i &lt; size in PyTorch's cascade (<c>multi_row_sum</c>): blocks of 2^p values
    /// (p = max(4, ⌈log₂ size⌉ / 4)) summed in order into level 0, each block then carried up the four levels as a counter
    /// carries, the tail summed into level 0, and the levels added from the bottom.
    /// </summary>
    public static float CascadeSum(ReadOnlySpan<float> x, int start, int stride, int size)
    {
        int power = Math.Max(4, CeilLog2(size) / Levels);
        int step = 1 << power, mask = step - 1;
        float acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
        int i = 0;
        while (i + step <= size)
        {
            for (int j = 0; j < step; j++, i++) acc0 += x[start + i * stride];
            acc1 += acc0;
            acc0 = 0;
            if ((i & (mask << power)) != 0) continue;
            acc2 += acc1;
            acc1 = 0;
            if ((i & (mask << (2 * power))) != 0) continue;
            acc3 += acc2;
            acc2 = 0;
        }

        for (; i < size; i++) acc0 += x[start + i * stride];
        return acc0 + acc1 + acc2 + acc3;
    }

    /// <summary>PyTorch's <c>row_sum</c>: the values seen as rows of four, one cascade per position, the tail into the first, then the four added.</summary>
    private static float RowSum(ReadOnlySpan<float> x, int start, int stride, int size)
    {
        int rows = size / Ilp;
        float p0 = CascadeSum(x, start, Ilp * stride, rows);
        float p1 = CascadeSum(x, start + stride, Ilp * stride, rows);
        float p2 = CascadeSum(x, start + 2 * stride, Ilp * stride, rows);
        float p3 = CascadeSum(x, start + 3 * stride, Ilp * stride, rows);
        for (int i = rows * Ilp; i < size; i++) p0 += x[start + i * stride];
        return p0 + p1 + p2 + p3;
    }

    /// <summary>
    /// Contiguous values (a reduction over the last dimension), as PyTorch's <c>vectorized_inner_sum</c>: each of the
    /// eight lanes a <see cref="RowSum"/> over the whole vectors, then the values past them in order, then the lanes.
    /// </summary>
    private static float ContiguousSum(ReadOnlySpan<float> x)
    {
        if (x.Length < Lanes) return RowSum(x, 0, 1, x.Length);
        int vectors = x.Length / Lanes;
        float sum = 0;
        for (int i = vectors * Lanes; i < x.Length; i++) sum += x[i];
        for (int lane = 0; lane < Lanes; lane++) sum += RowSum(x, lane, Lanes, vectors);
        return sum;
    }

    /// <summary>c10's <c>CeilLog2</c>: 1 for sizes up to 2.</summary>
    private static int CeilLog2(int x) => x <= 2 ? 1 : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(x - 1));
}
