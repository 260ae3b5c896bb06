namespace QuantGen.Kernels.Reference;

/// <summary>The bytes an op may write: [0, 255], narrowed by a fused activation.</summary>
public readonly record struct OutputRange(byte Min, byte Max)
{
    public static OutputRange Full => new(byte.MinValue, byte.MaxValue);

    /// <summary>
    /// ReLU's floor is the output zero point (PyTorch's <c>activationLimits</c> quantizes 0.0, which is always the zero
    /// point); ReLU6's ceiling is 6.0 quantized with <see cref="Quantize.ToUInt8"/>.
    /// </summary>
    public static OutputRange For(FusedActivation activation, ActivationQParams output) => activation switch
    {
        FusedActivation.None => Full,
        FusedActivation.ReLU => new((byte)output.ZeroPoint, byte.MaxValue),
        FusedActivation.ReLU6 => new((byte)output.ZeroPoint, Quantize.ToUInt8(6f, output)),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown fused activation."),
    };
}
