namespace QuantGen;

/// <summary>Element types that cross QuantGen's file boundaries, named as safetensors names them.</summary>
public enum DType
{
    F32,
    F16,
    BF16,
    I64,
    I32,
    I8,
    U8,
}

public static class DTypeInfo
{
    public static int SizeInBytes(this DType dtype) => dtype switch
    {
        DType.F32 or DType.I32 => 4,
        DType.F16 or DType.BF16 => 2,
        DType.I64 => 8,
        DType.I8 or DType.U8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.F32 or DType.F16 or DType.BF16;

    /// <summary>The safetensors header spelling ("F32", "BF16", …).</summary>
    public static string Name(this DType dtype) => dtype.ToString();

    public static bool TryParse(string name, out DType dtype)
    {
        switch (name)
        {
            case "F32": dtype = DType.F32; return true;
            case "F16": dtype = DType.F16; return true;
            case "BF16": dtype = DType.BF16; return true;
            case "I64": dtype = DType.I64; return true;
            case "I32": dtype = DType.I32; return true;
            case "I8": dtype = DType.I8; return true;
            case "U8": dtype = DType.U8; return true;
            default: dtype = default; return false;
        }
    }
}
