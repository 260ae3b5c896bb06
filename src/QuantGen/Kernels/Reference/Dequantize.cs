namespace QuantGen.Kernels.Reference;

/// <summary>
/// Integer → float as PyTorch's <c>dequantize</c> on CPU: <c>scale · (float)(q − zeroPoint)</c>, the difference taken
/// exactly in integers, then one float32 multiplication (not a fused <c>scale·q − scale·zeroPoint</c>).
/// </summary>
public static class Dequantize
{
    public static float FromUInt8(byte q, ActivationQParams qparams) => qparams.Scale * (q - qparams.ZeroPoint);

    public static float FromInt8(sbyte q, float scale, int zeroPoint) => scale * (q - zeroPoint);

    public static void Activations(ReadOnlySpan<byte> values, ActivationQParams q, Span<float> output)
    {
        q.Validate(nameof(q));
        ReferenceChecks.SameLength(values.Length, output.Length, "Dequantize.Activations");
        for (int i = 0; i < values.Length; i++) output[i] = FromUInt8(values[i], q);
    }

    /// <summary>A weight tensor [outChannels, ...], per tensor or per output channel (axis 0).</summary>
    public static void Weights(ReadOnlySpan<sbyte> values, int outChannels, WeightQParams q, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        q.CheckChannels(outChannels, "Dequantize.Weights");
        ReferenceChecks.SameLength(values.Length, output.Length, "Dequantize.Weights");
        if (values.Length % outChannels != 0)
        {
            throw new ShapeMismatchException($"Dequantize.Weights: {values.Length} values do not split into {outChannels} output channels.");
        }
        int perChannel = values.Length / outChannels;
        for (int i = 0; i < values.Length; i++)
        {
            int channel = i / perChannel;
            output[i] = FromInt8(values[i], q.Scale(channel), q.ZeroPoint(channel));
        }
    }
}
