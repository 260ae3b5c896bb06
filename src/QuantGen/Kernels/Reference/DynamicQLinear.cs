namespace QuantGen.Kernels.Reference;

/// <summary>
/// Dynamically quantized fully connected layer: float in, float out, int8 weights. The numerics of PyTorch 1.13's
/// <c>quantized::linear_dynamic</c> (and <c>linear_relu_dynamic</c>) on the qnnpack engine
/// (<c>apply_dynamic_impl</c> in <c>qlinear_dynamic.cpp</c> and the <c>q8gemm_dq</c> kernels):
/// <list type="number">
/// <item>qparams for this call from the whole input's min and max (<see cref="DynamicQParams.ForInput"/>);</item>
/// <item>the input quantized with them (<see cref="Quantize.ToUInt8"/>);</item>
/// <item><c>acc = Σ (x − z_in)·(w − z_w[o])</c> in int32;</item>
/// <item><c>y = (float)acc · (s_w[o] · s_in) + bias[o]</c>: one float32 multiplication, then one float32 addition
/// (no fused multiply-add; the float bias is never quantized);</item>
/// <item>ReLU, when asked, on the float result.</item>
/// </list>
/// </summary>
public static class DynamicQLinear
{
    /// <summary>
    /// <paramref name="output"/> [batch, outFeatures] = <paramref name="input"/> [batch, inFeatures] ·
    /// <paramref name="weight"/>ᵀ (qint8 [outFeatures, inFeatures]) + <paramref name="bias"/> (float, empty for none).
    /// Allocates the quantized copy of the input (a reference kernel: clear over fast).
    /// </summary>
    public static void Forward(
        ReadOnlySpan<float> input,
        ReadOnlySpan<sbyte> weight,
        WeightQParams weightQ,
        ReadOnlySpan<float> bias,
        int batch,
        int inFeatures,
        int outFeatures,
        bool relu,
        Span<float> output)
    {
        const string op = "DynamicQLinear";
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(outFeatures);
        ArgumentNullException.ThrowIfNull(weightQ);
        weightQ.CheckChannels(outFeatures, op);
        ReferenceChecks.Length(input.Length, (long)batch * inFeatures, nameof(input), op, $"[{batch}, {inFeatures}]");
        ReferenceChecks.Length(weight.Length, (long)outFeatures * inFeatures, nameof(weight), op, $"[{outFeatures}, {inFeatures}]");
        ReferenceChecks.Length(output.Length, (long)batch * outFeatures, nameof(output), op, $"[{batch}, {outFeatures}]");
        if (!bias.IsEmpty) ReferenceChecks.Length(bias.Length, outFeatures, nameof(bias), op, $"[{outFeatures}]");

        ActivationQParams inputQ = DynamicQParams.ForInput(input);
        var quantized = new byte[input.Length];
        Quantize.Activations(input, inputQ, quantized);

        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<byte> row = quantized.AsSpan(i * inFeatures, inFeatures);
            for (int o = 0; o < outFeatures; o++)
            {
                int accumulator = QLinear.Dot(row, inputQ.ZeroPoint, weight.Slice(o * inFeatures, inFeatures), weightQ.ZeroPoint(o));
                // PyTorch's "requantization scale" with output scale 1: (s_w · s_in) · (1 / 1), i.e. s_w · s_in.
                float dequantizeScale = weightQ.Scale(o) * inputQ.Scale;
                float y = (float)accumulator * dequantizeScale;
                if (!bias.IsEmpty) y += bias[o];
                output[i * outFeatures + o] = relu && y < 0 ? 0f : y;
            }
        }
    }
}
