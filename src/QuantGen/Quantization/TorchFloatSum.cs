using System.Numerics;

namespace QuantGen.Quantization;

/// <summary>
/// <c>torch.sum</c> of a contiguous float32 vector on the CPU, in the order PyTorch 1.13 adds (its
/// <c>cascade_sum</c> with 8-lane AVX2 vectors, the capability Debian's build runs with), so the float32
/// result is the same bits. The histogram observer compares sums of this kind, so the order matters there.
/// </summary>
/// <remarks>
/// The vector is read as rows of <see cref="Ilp"/> vectors of <see cref="Lanes"/> floats. Each of those
/// 32 accumulators sums its column in blocks of 16 rows (more for long inputs) that are folded into higher
/// levels, which keeps the error growth logarithmic; then the four vectors are added, then the tail of
/// elements that fill no vector is summed, then the eight lanes are added onto it.
/// </remarks>
internal static class TorchFloatSum
{
    private const int Lanes = 8;
    private const int Ilp = 4;
    private const int Levels = 4;

    /// <summary>Whether <see cref="Sum"/> of <paramref name="length"/> values is their plain sum in order from +0 (no whole vector).</summary>
    public static bool IsPlainSum(int length) => length < Lanes;

    public static float Sum(ReadOnlySpan<float> values)
    {
        int vectorCount = values.Length / Lanes;
        if (vectorCount == 0)
        {
            // No whole vector: the lanes would all be +0, and adding +0 changes no sum that starts from +0.
            float tail = 0f;
            foreach (float value in values) tail += value;
            return tail;
        }
        Span<float> lanes = stackalloc float[Lanes];
        RowSum(values, vectorCount, lanes);

        float total = 0f;
        for (int i = vectorCount * Lanes; i < values.Length; i++) total += values[i];
        for (int lane = 0; lane < Lanes; lane++) total += lanes[lane];
        return total;
    }

    /// <summary>Sums the first <paramref name="vectorCount"/> vectors into <paramref name="result"/> (one float per lane).</summary>
    private static void RowSum(ReadOnlySpan<float> values, int vectorCount, Span<float> result)
    {
        int rows = vectorCount / Ilp;
        if (rows == 0)
        {
            // No whole row: every accumulator but the first stays +0, so the lanes are the vectors' plain sums.
            result.Clear();
            for (int v = 0; v < vectorCount; v++) AddVector(result, values.Slice(v * Lanes, Lanes));
            return;
        }
        Span<float> partial = stackalloc float[Ilp * Lanes];
        MultiRowSum(values, rows, partial);

        // Vectors left over after the last full row go into the first accumulator.
        for (int v = rows * Ilp; v < vectorCount; v++) AddVector(partial[..Lanes], values.Slice(v * Lanes, Lanes));
        for (int k = 1; k < Ilp; k++) AddVector(partial[..Lanes], partial.Slice(k * Lanes, Lanes));
        partial[..Lanes].CopyTo(result);
    }

    /// <summary>Column sums of a rows × (Ilp · Lanes) block, accumulated in levels as PyTorch's <c>multi_row_sum</c>.</summary>
    private static void MultiRowSum(ReadOnlySpan<float> values, int rows, Span<float> result)
    {
        const int Width = Ilp * Lanes;
        int levelPower = Math.Max(4, CeilLog2(rows) / Levels);
        int levelStep = 1 << levelPower;
        int levelMask = levelStep - 1;
        Span<float> acc = stackalloc float[Levels * Width];
        acc.Clear();

        int i = 0;
        while (i + levelStep <= rows)
        {
            for (int j = 0; j < levelStep; j++, i++) AddVector(acc[..Width], values.Slice(i * Width, Width));
            for (int level = 1; level < Levels; level++)
            {
                AddVector(acc.Slice(level * Width, Width), acc.Slice((level - 1) * Width, Width));
                acc.Slice((level - 1) * Width, Width).Clear();
                if ((i & (levelMask << (level * levelPower))) != 0) break;
            }
        }
        for (; i < rows; i++) AddVector(acc[..Width], values.Slice(i * Width, Width));
        for (int level = 1; level < Levels; level++) AddVector(acc[..Width], acc.Slice(level * Width, Width));
        acc[..Width].CopyTo(result);
    }

    private static void AddVector(Span<float> target, ReadOnlySpan<float> source)
    {
        for (int i = 0; i < target.Length; i++) target[i] += source[i];
    }

    /// <summary>ATen's <c>CeilLog2</c>: 1 for sizes up to 2, else the bits needed for size − 1.</summary>
    private static int CeilLog2(int size) => size <= 2 ? 1 : 32 - BitOperations.LeadingZeroCount((uint)(size - 1));
}
