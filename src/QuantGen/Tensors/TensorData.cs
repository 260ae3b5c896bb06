using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace QuantGen;

/// <summary>
/// A tensor of any <see cref="DType"/> as it is stored in a file: shape plus little-endian bytes.
/// State dicts and model files hold these; compute happens on <see cref="Tensor"/> (float32) and on
/// the quantized types, which convert from here with a dtype check.
/// </summary>
public sealed class TensorData
{
    private readonly byte[] bytes;

    public TensorData(DType dtype, Shape shape, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        long expected = shape.ElementCount * dtype.SizeInBytes();
        if (bytes.LongLength != expected)
        {
            throw new ArgumentException(
                $"A {dtype} tensor of shape {shape} needs {expected} bytes, but {bytes.LongLength} were given.", nameof(bytes));
        }
        DType = dtype;
        Shape = shape;
        this.bytes = bytes;
    }

    public DType DType { get; }

    public Shape Shape { get; }

    /// <summary>The raw little-endian bytes.</summary>
    public ReadOnlySpan<byte> Bytes => bytes;

    public long ElementCount => Shape.ElementCount;

    public static TensorData FromFloat32(Shape shape, ReadOnlySpan<float> values) =>
        new(DType.F32, shape, ToLittleEndianBytes(values));

    public static TensorData FromTensor(Tensor tensor) => FromFloat32(tensor.Shape, tensor.Data);

    public static TensorData FromInt64(Shape shape, ReadOnlySpan<long> values) =>
        new(DType.I64, shape, ToLittleEndianBytes(values));

    public static TensorData FromInt32(Shape shape, ReadOnlySpan<int> values) =>
        new(DType.I32, shape, ToLittleEndianBytes(values));

    public static TensorData FromInt8(Shape shape, ReadOnlySpan<sbyte> values) =>
        new(DType.I8, shape, MemoryMarshal.AsBytes(values).ToArray());

    public static TensorData FromUInt8(Shape shape, ReadOnlySpan<byte> values) =>
        new(DType.U8, shape, values.ToArray());

    /// <summary>
    /// The values as float32. F16 and BF16 widen exactly; integer types are not converted silently
    /// (PyTorch's <c>load_state_dict</c> would, but a float parameter fed from an int tensor is almost
    /// always a wrong key).
    /// </summary>
    public float[] ToFloat32()
    {
        var result = new float[ElementCount];
        switch (DType)
        {
            case DType.F32:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i));
                break;
            case DType.F16:
                for (int i = 0; i < result.Length; i++) result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(2 * i));
                break;
            case DType.BF16:
                // bfloat16 is the top half of a float32.
                for (int i = 0; i < result.Length; i++)
                {
                    uint bits = (uint)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i)) << 16;
                    result[i] = BitConverter.UInt32BitsToSingle(bits);
                }
                break;
            default:
                throw new InvalidCastException($"A {DType} tensor cannot be read as float32.");
        }
        return result;
    }

    /// <summary>The values as int64, from any integer dtype.</summary>
    public long[] ToInt64()
    {
        var result = new long[ElementCount];
        switch (DType)
        {
            case DType.I64:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8 * i));
                break;
            case DType.I32:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4 * i));
                break;
            case DType.I8:
                for (int i = 0; i < result.Length; i++) result[i] = (sbyte)bytes[i];
                break;
            case DType.U8:
                for (int i = 0; i < result.Length; i++) result[i] = bytes[i];
                break;
            default:
                throw new InvalidCastException($"A {DType} tensor cannot be read as int64.");
        }
        return result;
    }

    public int[] ToInt32() => DType switch
    {
        DType.I32 or DType.I8 or DType.U8 => Array.ConvertAll(ToInt64(), v => (int)v),
        _ => throw new InvalidCastException($"A {DType} tensor cannot be read as int32 without loss."),
    };

    public sbyte[] ToInt8() => DType == DType.I8
        ? MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray()
        : throw new InvalidCastException($"A {DType} tensor cannot be read as int8.");

    public byte[] ToUInt8() => DType == DType.U8
        ? (byte[])bytes.Clone()
        : throw new InvalidCastException($"A {DType} tensor cannot be read as uint8.");

    public Tensor ToTensor() => new(Shape, ToFloat32());

    public override string ToString() => $"{DType}{Shape}";

    private static byte[] ToLittleEndianBytes<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        // x86-64 and Arm64 .NET are little-endian; safetensors is too, so the bytes copy as they are.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("QuantGen needs a little-endian machine.");
        return MemoryMarshal.AsBytes(values).ToArray();
    }
}
