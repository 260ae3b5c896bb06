namespace QuantGen.Kernels.Reference;

/// <summary>
/// Quantized fully connected layer, the numerics of PyTorch 1.13's <c>quantized::linear</c> (and <c>linear_relu</c>)
/// on the qnnpack engine: one int32 accumulator per output, then <see cref="Requantize"/>.
/// </summary>
public static class QLinear
{
    /// <summary>
    /// <paramref name="output"/> [batch, outFeatures] (quint8 under <paramref name="outputQ"/>) from
    /// <paramref name="input"/> [batch, inFeatures] (quint8) and <paramref name="weight"/> [outFeatures, inFeatures]
    /// (qint8, PyTorch's layout), with <paramref name="bias"/> [outFeatures] in int32 at scale <c>s_in·s_w[o]</c>
    /// (<see cref="Quantize.Bias"/>; empty for none):
    /// <code>acc = bias[o] + Σ (x − z_in)·(w − z_w[o])</code>
    /// in int32 with two's-complement wraparound, as qnnpack's GEMM.
    /// </summary>
    public static void Forward(
        ReadOnlySpan<byte> input,
        ActivationQParams inputQ,
        ReadOnlySpan<sbyte> weight,
        WeightQParams weightQ,
        ReadOnlySpan<int> bias,
        int batch,
        int inFeatures,
        int outFeatures,
        ActivationQParams outputQ,
        FusedActivation activation,
        Span<byte> output)
    {
        const string op = "QLinear";
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(outFeatures);
        inputQ.Validate(nameof(inputQ));
        outputQ.Validate(nameof(outputQ));
        ArgumentNullException.ThrowIfNull(weightQ);
        weightQ.CheckChannels(outFeatures, op);
        ReferenceChecks.Length(input.Length, (long)batch * inFeatures, nameof(input), op, $"[{batch}, {inFeatures}]");
        ReferenceChecks.Length(weight.Length, (long)outFeatures * inFeatures, nameof(weight), op, $"[{outFeatures}, {inFeatures}]");
        ReferenceChecks.Length(output.Length, (long)batch * outFeatures, nameof(output), op, $"[{batch}, {outFeatures}]");
        if (!bias.IsEmpty) ReferenceChecks.Length(bias.Length, outFeatures, nameof(bias), op, $"[{outFeatures}]");

        OutputRange range = OutputRange.For(activation, outputQ);
        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<byte> row = input.Slice(i * inFeatures, inFeatures);
            for (int o = 0; o < outFeatures; o++)
            {
                int accumulator = bias.IsEmpty ? 0 : bias[o];
                accumulator = unchecked(accumulator + Dot(row, inputQ.ZeroPoint, weight.Slice(o * inFeatures, inFeatures), weightQ.ZeroPoint(o)));
                float multiplier = Requantize.Multiplier(inputQ.Scale, weightQ.Scale(o), outputQ.Scale);
                output[i * outFeatures + o] = Requantize.ToUInt8(accumulator, multiplier, outputQ.ZeroPoint, range);
            }
        }
    }

    /// <summary>Σ (x − z_x)·(w − z_w) in int32 with wraparound; shared with <see cref="DynamicQLinear"/>.</summary>
    internal static int Dot(ReadOnlySpan<byte> x, int inputZeroPoint, ReadOnlySpan<sbyte> w, int weightZeroPoint)
    {
        int sum = 0;
        for (int k = 0; k < x.Length; k++)
        {
            sum = unchecked(sum + (x[k] - inputZeroPoint) * (w[k] - weightZeroPoint));
        }
        return sum;
    }
}
