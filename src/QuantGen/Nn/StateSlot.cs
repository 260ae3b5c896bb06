namespace QuantGen.Nn;

/// <summary>One named entry of a module's state dict: a parameter or a buffer that it owns.</summary>
internal abstract class StateSlot(string name, bool isParameter)
{
    public string Name { get; } = name;

    public bool IsParameter { get; } = isParameter;

    public abstract Shape Shape { get; }

    public abstract string DTypeName { get; }

    /// <summary>The float32 tensor behind this slot, or null for slots that are not one (integer scalars).</summary>
    public virtual Tensor? FloatTensor => null;

    public abstract TensorData Read();

    /// <summary>Why <paramref name="value"/> cannot be loaded here, or null if it can.</summary>
    public abstract string? Incompatibility(TensorData value);

    /// <summary>Copies <paramref name="value"/> in; call only after <see cref="Incompatibility"/> said null.</summary>
    public abstract void Write(TensorData value);
}

/// <summary>A float32 parameter or buffer. Loading copies into the existing storage, so references stay valid.</summary>
internal sealed class TensorSlot(string name, Tensor tensor, bool isParameter) : StateSlot(name, isParameter)
{
    public Tensor Tensor { get; } = tensor;

    public override Tensor? FloatTensor => Tensor;

    public override Shape Shape => Tensor.Shape;

    public override string DTypeName => "F32";

    public override TensorData Read() => TensorData.FromTensor(Tensor);

    public override string? Incompatibility(TensorData value)
    {
        if (value.Shape != Tensor.Shape)
        {
            return $"expected shape {Tensor.Shape}, got {value.Shape}";
        }
        return value.DType.IsFloatingPoint() ? null : $"expected a floating-point tensor (F32, F16 or BF16), got {value.DType}";
    }

    public override void Write(TensorData value)
    {
        value.ToFloat32().CopyTo(Tensor.Data, 0);
        Tensor.MarkModified();
    }
}

/// <summary>
/// A float32 vector buffer whose length is set by the data it first sees, as PyTorch's per-channel observers
/// register <c>min_val</c> with size 0 and resize it on the first batch. Loading takes a vector of any length
/// and replaces the tensor (PyTorch resizes it in <c>_load_from_state_dict</c>).
/// </summary>
internal sealed class ResizableVectorSlot(string name, Func<Tensor> get, Action<Tensor> set) : StateSlot(name, isParameter: false)
{
    public override Tensor? FloatTensor => get();

    public override Shape Shape => get().Shape;

    public override string DTypeName => "F32";

    public override TensorData Read() => TensorData.FromTensor(get());

    public override string? Incompatibility(TensorData value)
    {
        if (value.Shape.Rank != 1)
        {
            return $"expected a vector (shape [N], any N), got {value.Shape}";
        }
        return value.DType.IsFloatingPoint() ? null : $"expected a floating-point tensor (F32, F16 or BF16), got {value.DType}";
    }

    public override void Write(TensorData value) => set(new Tensor(value.Shape, value.ToFloat32()));
}

/// <summary>An integer scalar buffer such as BatchNorm's <c>num_batches_tracked</c> (I64 in PyTorch).</summary>
internal sealed class Int64ScalarSlot(string name, Func<long> get, Action<long> set) : StateSlot(name, isParameter: false)
{
    private static readonly Shape Scalar = new();

    public override Shape Shape => Scalar;

    public override string DTypeName => "I64";

    public override TensorData Read() => TensorData.FromInt64(Scalar, [get()]);

    public override string? Incompatibility(TensorData value)
    {
        if (value.Shape != Scalar)
        {
            return $"expected a scalar (shape []), got {value.Shape}";
        }
        return value.DType is DType.I64 or DType.I32 ? null : $"expected an integer tensor (I64), got {value.DType}";
    }

    public override void Write(TensorData value) => set(value.ToInt64()[0]);
}

/// <summary>
/// An integer vector buffer held as int[] in a module's fields, stored with PyTorch's dtype: FakeQuantize's
/// <c>zero_point</c> (I32) and its enable flags (U8). A resizable one takes any length on load, as a per-channel
/// <c>zero_point</c> does once it has seen its channels.
/// </summary>
internal sealed class IntegerVectorSlot(string name, DType dtype, bool resizable, Func<int[]> get, Action<int[]> set) : StateSlot(name, isParameter: false)
{
    public override Shape Shape => new(get().Length);

    public override string DTypeName => dtype.Name();

    public override TensorData Read()
    {
        var values = get();
        return dtype == DType.U8
            ? TensorData.FromUInt8(Shape, Array.ConvertAll(values, v => (byte)v))
            : TensorData.FromInt32(Shape, values);
    }

    public override string? Incompatibility(TensorData value)
    {
        if (value.Shape.Rank != 1 || (!resizable && value.Shape != Shape))
        {
            return resizable ? $"expected a vector (shape [N], any N), got {value.Shape}" : $"expected shape {Shape}, got {value.Shape}";
        }
        return value.DType is DType.U8 or DType.I32 or DType.I64 ? null : $"expected an integer tensor ({dtype}), got {value.DType}";
    }

    public override void Write(TensorData value) => set(Array.ConvertAll(value.ToInt64(), v => (int)v));
}
