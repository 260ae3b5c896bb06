namespace QuantGen.Kernels.Reference;

/// <summary>
/// PyTorch's broadcasting of two shapes: aligned from the right, each pair of sizes equal or one of them 1, a missing
/// leading dimension counting as 1. <see cref="Indices"/> gives, for every element of the output in row-major order,
/// the element of each input it reads.
/// </summary>
/// <remarks>Pure functions of their arguments: safe to call from any number of threads.</remarks>
public static class Broadcasting
{
    /// <summary>The broadcast shape, or null when the shapes do not broadcast.</summary>
    public static int[]? TryShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int x = SizeFromRight(a, rank - 1 - i), y = SizeFromRight(b, rank - 1 - i);
            if (x != y && x != 1 && y != 1) return null;
            dims[i] = x == 1 ? y : x;
        }
        return dims;
    }

    /// <summary>The broadcast shape.</summary>
    /// <exception cref="ShapeMismatchException">The shapes do not broadcast; the message names both.</exception>
    public static Shape Of(Shape a, Shape b, string op) =>
        TryShape(a.Dims, b.Dims) is { } dims
            ? new Shape(dims)
            : throw new ShapeMismatchException($"{op}: shapes {a} and {b} do not broadcast (each pair of sizes, aligned from the right, must be equal or 1).");

    /// <summary>For each output element, the flat index it reads in <paramref name="a"/> and in <paramref name="b"/>.</summary>
    public static (int[] A, int[] B) Indices(Shape a, Shape b, Shape output)
    {
        int rank = output.Rank;
        int[] aStrides = Strides(a, rank, output), bStrides = Strides(b, rank, output);
        var aIndex = new int[output.ElementCount];
        var bIndex = new int[aIndex.Length];
        var position = new int[rank];
        int ai = 0, bi = 0;
        for (int o = 0; o < aIndex.Length; o++)
        {
            aIndex[o] = ai;
            bIndex[o] = bi;
            // Odometer step: the last axis moves fastest; an axis that wraps rewinds its contribution.
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                ai += aStrides[axis];
                bi += bStrides[axis];
                if (++position[axis] < output[axis]) break;
                position[axis] = 0;
                ai -= aStrides[axis] * output[axis];
                bi -= bStrides[axis] * output[axis];
            }
        }
        return (aIndex, bIndex);
    }

    /// <summary>Row-major strides of <paramref name="shape"/> aligned to the output's axes, 0 where it is broadcast.</summary>
    private static int[] Strides(Shape shape, int rank, Shape output)
    {
        var strides = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            int size = SizeFromRight(shape.Dims, rank - 1 - i);
            strides[i] = size == 1 && output[i] != 1 ? 0 : stride;
            stride *= size;
        }
        return strides;
    }

    private static int SizeFromRight(ReadOnlySpan<int> dims, int fromRight) => fromRight < dims.Length ? dims[dims.Length - 1 - fromRight] : 1;
}
