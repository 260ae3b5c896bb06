using System.Runtime.CompilerServices;

namespace QuantGen;

/// <summary>
/// The dimensions of a tensor, outermost first (NCHW for images). Immutable, compared by value,
/// printed as PyTorch prints <c>tensor.shape</c> lists: <c>[16, 1, 28, 28]</c>.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly int[]? dims;      // null for default(Shape): a scalar
    private readonly long elementCount;

    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(dims), $"Dimension {i} of {Format(dims)} is negative.");
            }
        }
        this.dims = (int[])dims.Clone();
        elementCount = CountElements(this.dims);
    }

    /// <summary>The number of dimensions; 0 for a scalar.</summary>
    public int Rank => dims?.Length ?? 0;

    /// <summary>The product of the dimensions (1 for a scalar).</summary>
    public long ElementCount => dims is null ? 1 : elementCount;

    public int this[int axis]
    {
        get
        {
            int rank = Rank;
            if (axis < 0) axis += rank;
            if ((uint)axis >= (uint)rank)
            {
                throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for shape {this}.");
            }
            return dims![axis];
        }
    }

    public ReadOnlySpan<int> Dims => dims;

    public int[] ToArray() => dims is null ? [] : (int[])dims.Clone();

    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);

    public override bool Equals(object? obj) => obj is Shape other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int d in Dims) hash.Add(d);
        return hash.ToHashCode();
    }

    public static bool operator ==(Shape left, Shape right) => left.Equals(right);

    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    public override string ToString() => Format(Dims);

    internal static string Format(ReadOnlySpan<int> dims)
    {
        var text = new DefaultInterpolatedStringHandler(2, dims.Length);
        text.AppendLiteral("[");
        for (int i = 0; i < dims.Length; i++)
        {
            if (i > 0) text.AppendLiteral(", ");
            text.AppendFormatted(dims[i]);
        }
        text.AppendLiteral("]");
        return text.ToStringAndClear();
    }

    // A zero anywhere makes the tensor empty, however large the dimensions before it: checked first, so that
    // [2147483647, 2147483647, 2147483647, 0] is an empty shape rather than an overflow.
    private static long CountElements(int[] dims)
    {
        if (dims.AsSpan().Contains(0)) return 0;
        long count = 1;
        foreach (int d in dims)
        {
            if (count > long.MaxValue / d)
            {
                throw new ArgumentOutOfRangeException(nameof(dims), $"The shape {Format(dims)} has more than {long.MaxValue} elements.");
            }
            count *= d;
        }
        return count;
    }
}
