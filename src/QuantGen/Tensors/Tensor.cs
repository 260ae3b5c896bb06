namespace QuantGen;

/// <summary>
/// A dense tensor in row-major (contiguous) order; images are NCHW. Float32, or — after eager quantization —
/// quint8 with one scale and zero point (<see cref="IsQuantized"/>), as PyTorch's quantized tensors flow through
/// the same modules as float ones. The storage array is exactly <see cref="Shape"/>'s element count long, so
/// kernels can take it without offsets. <see cref="Reshape"/> shares storage, as PyTorch's <c>view</c> does.
/// </summary>
public sealed partial class Tensor
{
    private readonly float[]? data;
    private QuantizedBytes? quantized;

    public Tensor(Shape shape)
        : this(shape, new float[CheckedLength(shape)])
    {
    }

    public Tensor(Shape shape, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != shape.ElementCount)
        {
            throw new ArgumentException(
                $"A tensor of shape {shape} holds {shape.ElementCount} values, but the array has {data.Length}.", nameof(data));
        }
        Shape = shape;
        this.data = data;
    }

    private Tensor(Shape shape, byte[] quantizedData, bool channelsLast, float scale, int zeroPoint)
    {
        Shape = shape;
        quantized = new QuantizedBytes(quantizedData, channelsLast);
        QuantScale = scale;
        QuantZeroPoint = zeroPoint;
    }

    public Shape Shape { get; }

    /// <summary>The float values, contiguous, outermost dimension first.</summary>
    /// <exception cref="InvalidOperationException">The tensor is quantized: dequantize it first.</exception>
    public float[] Data => data ?? throw new InvalidOperationException(
        $"{this} is quantized: a float operation cannot read it. Dequantize it (DeQuantStub, Tensor.Dequantize), or run this op through a layer that has an int8 form.");

    public Span<float> Span => Data;

    /// <summary>True for a quint8 tensor (<see cref="QuantizedData"/>, <see cref="QuantScale"/>, <see cref="QuantZeroPoint"/>).</summary>
    public bool IsQuantized => quantized is not null;

    /// <summary>
    /// The quint8 values of a quantized tensor, contiguous, outermost dimension first (NCHW for images):
    /// value ≈ QuantScale·(q − QuantZeroPoint).
    /// </summary>
    public byte[] QuantizedData => quantized is { } q
        ? q.ChannelsLast ? ToChannelsFirstStorage(q) : q.Values
        : throw NotQuantized();

    private InvalidOperationException NotQuantized() => new($"{this} is not quantized.");

    public float QuantScale { get; }

    public int QuantZeroPoint { get; }

    public int Rank => Shape.Rank;

    public int Length => data?.Length ?? quantized!.Values.Length;

    /// <summary>A quint8 tensor over <paramref name="values"/> (not copied).</summary>
    public static Tensor FromQuantized(Shape shape, byte[] values, float scale, int zeroPoint)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != shape.ElementCount)
        {
            throw new ArgumentException($"A tensor of shape {shape} holds {shape.ElementCount} values, but the array has {values.Length}.", nameof(values));
        }
        if (!(scale > 0) || !float.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), $"A quantization scale must be positive and finite, got {scale}.");
        }
        if (zeroPoint is < 0 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(zeroPoint), $"A quint8 zero point must be in [0, 255], got {zeroPoint}.");
        }
        return new Tensor(shape, values, channelsLast: false, scale, zeroPoint);
    }

    /// <summary>
    /// Bumped by every change QuantGen makes to the values (loading, training), as PyTorch's <c>_version</c>;
    /// layers use it to know when weights they prepacked are stale. Code that writes <see cref="Data"/> directly
    /// calls <see cref="MarkModified"/> afterwards.
    /// </summary>
    public int Version { get; private set; }

    /// <summary>Records that the values changed, so that caches derived from them are rebuilt.</summary>
    public void MarkModified() => Version++;

    /// <summary>Size of one dimension; negative axes count from the end, as in PyTorch.</summary>
    public int Size(int axis) => Shape[axis];

    public static Tensor Zeros(params int[] dims) => new(new Shape(dims));

    /// <summary>A tensor whose values are whatever the memory held: for outputs a kernel writes in full.</summary>
    internal static Tensor Uninitialized(Shape shape) => new(shape, GC.AllocateUninitializedArray<float>(CheckedLength(shape)));

    public static Tensor Full(float value, params int[] dims)
    {
        var t = Zeros(dims);
        t.Data.AsSpan().Fill(value);
        return t;
    }

    /// <summary>Wraps <paramref name="data"/> (not copied) with the given dimensions.</summary>
    public static Tensor FromArray(float[] data, params int[] dims) => new(new Shape(dims), data);

    /// <summary>
    /// The same values seen with other dimensions (storage shared). One dimension may be -1 and is inferred.
    /// </summary>
    public Tensor Reshape(params int[] dims)
    {
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (inferred >= 0) throw new ArgumentException($"Only one dimension may be -1 in {Shape.Format(dims)}.", nameof(dims));
                inferred = i;
            }
            else
            {
                known *= dims[i];
            }
        }
        if (inferred >= 0)
        {
            if (known == 0 || Length % known != 0)
            {
                throw new ShapeMismatchException($"Cannot reshape {Shape} ({Length} values) to {Shape.Format(dims)}.");
            }
            dims = (int[])dims.Clone();
            dims[inferred] = (int)(Length / known);
        }
        var shape = new Shape(dims);
        if (shape.ElementCount != Length)
        {
            throw new ShapeMismatchException($"Cannot reshape {Shape} ({Length} values) to {shape} ({shape.ElementCount} values).");
        }
        var view = WithShape(shape);
        return Autograd.GradMode.Records(this) ? Autograd.ElementwiseGrad.RecordReshape(view, this) : view;
    }

    public Tensor Clone() => quantized is { } q
        ? new Tensor(Shape, (byte[])q.Values.Clone(), q.ChannelsLast, QuantScale, QuantZeroPoint)
        : new Tensor(Shape, (float[])data!.Clone());

    /// <summary>The same storage (float or quantized, in PyTorch's order) seen with another shape of equal size.</summary>
    private Tensor WithShape(Shape shape) => IsQuantized
        ? new Tensor(shape, QuantizedData, channelsLast: false, QuantScale, QuantZeroPoint)
        : new Tensor(shape, data!);

    /// <summary>One value by its full index (slow; for tests and inspection).</summary>
    public float this[params int[] index]
    {
        get => Data[Offset(index)];
        set => Data[Offset(index)] = value;
    }

    /// <summary>The mean along <paramref name="dim"/>, as PyTorch's <c>x.mean(dim, keepdim)</c>: <see cref="Nn.Functional.Mean"/>.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Nn.Functional.Mean(this, dim, keepDim);

    /// <summary>Element-wise sum of two tensors of the same shape (a residual connection).</summary>
    public static Tensor operator +(Tensor left, Tensor right) => Nn.Functional.Add(left, right);

    public override string ToString() => IsQuantized
        ? $"QuantizedTensor{Shape}(quint8, scale={QuantScale}, zero_point={QuantZeroPoint})"
        : $"Tensor{Shape}";

    private int Offset(int[] index)
    {
        if (index.Length != Rank)
        {
            throw new ArgumentException($"Index of rank {index.Length} for a tensor of shape {Shape}.", nameof(index));
        }
        int offset = 0;
        for (int i = 0; i < index.Length; i++)
        {
            int dim = Shape[i];
            if ((uint)index[i] >= (uint)dim)
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"Index {Shape.Format(index)} is outside shape {Shape}.");
            }
            offset = offset * dim + index[i];
        }
        return offset;
    }

    private static int CheckedLength(Shape shape) =>
        shape.ElementCount <= Array.MaxLength
            ? (int)shape.ElementCount
            : throw new ArgumentOutOfRangeException(nameof(shape), $"A tensor of shape {shape} is too large for one array.");
}
