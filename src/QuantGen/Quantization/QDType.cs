namespace QuantGen.Quantization;

/// <summary>The 8-bit integer types that quantized tensors hold, as PyTorch's <c>torch.quint8</c> and <c>torch.qint8</c>.</summary>
public enum QDType
{
    /// <summary>Unsigned, [0, 255]: activations.</summary>
    QUInt8,

    /// <summary>Signed, [-128, 127]: weights.</summary>
    QInt8,
}

public static class QDTypeExtensions
{
    /// <summary>The smallest value the type holds (<c>torch.iinfo(dtype).min</c>).</summary>
    public static int MinValue(this QDType dtype) => dtype switch
    {
        QDType.QUInt8 => byte.MinValue,
        QDType.QInt8 => sbyte.MinValue,
        _ => throw Unknown(dtype),
    };

    /// <summary>The largest value the type holds (<c>torch.iinfo(dtype).max</c>).</summary>
    public static int MaxValue(this QDType dtype) => dtype switch
    {
        QDType.QUInt8 => byte.MaxValue,
        QDType.QInt8 => sbyte.MaxValue,
        _ => throw Unknown(dtype),
    };

    /// <summary>The width in bits (<c>torch.iinfo(dtype).bits</c>).</summary>
    public static int Bits(this QDType dtype) => dtype is QDType.QUInt8 or QDType.QInt8 ? 8 : throw Unknown(dtype);

    internal static ArgumentOutOfRangeException Unknown(QDType dtype) =>
        new(nameof(dtype), dtype, "Not a quantized dtype: expected QDType.QUInt8 or QDType.QInt8.");
}
