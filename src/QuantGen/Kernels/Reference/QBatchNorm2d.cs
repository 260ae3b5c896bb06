namespace QuantGen.Kernels.Reference;

/// <summary>
/// Quantized batch norm over NCHW quint8, the numerics of PyTorch 1.13's <c>quantized::batch_norm2d</c> (and
/// <c>batch_norm2d_relu</c>, BNReLU2d) on x86 (<c>q_batch_norm_kernel</c> in <c>QuantizedOpKernels.cpp</c>): per channel a
/// float multiplier α and offset β in output units (<see cref="Coefficients"/>), then for every value
/// <code>y = clamp(z_out + round_half_even(fma(α, x − z_in, β)), min, max)</code>
/// with one rounding in the fused multiply-add, as the AVX2 kernel's <c>fmadd</c> (and its scalar tail, compiled with
/// contraction) computes it. A fused ReLU floors the result at the output zero point.
/// </summary>
public static class QBatchNorm2d
{
    /// <summary>
    /// PyTorch's <c>compute_fused_params</c>: <c>1/σ = 1/√(var + ε)</c> (the root in float, the quotient in double,
    /// kept as float), <c>α = (1/σ·γ)·(s_in/s_out)</c> and <c>β = (b − mean·1/σ·γ)/s_out</c>, each product in float and the
    /// scale factor in double, narrowed to float.
    /// </summary>
    public static (float[] Alpha, float[] Beta) Coefficients(
        ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps,
        float inputScale, float outputScale)
    {
        int channels = mean.Length;
        ReferenceChecks.SameLength(channels, variance.Length, "QBatchNorm2d (variance)");
        if (!weight.IsEmpty) ReferenceChecks.SameLength(channels, weight.Length, "QBatchNorm2d (weight)");
        if (!bias.IsEmpty) ReferenceChecks.SameLength(channels, bias.Length, "QBatchNorm2d (bias)");
        var alpha = new float[channels];
        var beta = new float[channels];
        double ratio = (double)inputScale / outputScale;
        for (int c = 0; c < channels; c++)
        {
            float inverseSigma = (float)(1.0 / MathF.Sqrt(variance[c] + eps));
            float gamma = weight.IsEmpty ? 1f : weight[c], shift = bias.IsEmpty ? 0f : bias[c];
            alpha[c] = (float)((double)(inverseSigma * gamma) * ratio);
            beta[c] = (float)((double)(shift - mean[c] * inverseSigma * gamma) / outputScale);
        }
        return (alpha, beta);
    }

    /// <summary><paramref name="output"/> from <paramref name="input"/>, both [batch, channels, pixels], with α and β per channel.</summary>
    public static void Forward(
        ReadOnlySpan<byte> input, ActivationQParams inputQ, ReadOnlySpan<float> alpha, ReadOnlySpan<float> beta, int batch, int pixels,
        ActivationQParams outputQ, FusedActivation activation, Span<byte> output)
    {
        const string op = "QBatchNorm2d";
        inputQ.Validate(nameof(inputQ));
        outputQ.Validate(nameof(outputQ));
        int channels = alpha.Length;
        ReferenceChecks.SameLength(channels, beta.Length, op + " (beta)");
        ReferenceChecks.Length(input.Length, (long)batch * channels * pixels, nameof(input), op, $"[{batch}, {channels}, {pixels}]");
        ReferenceChecks.SameLength(input.Length, output.Length, op);
        OutputRange range = OutputRange.For(activation, outputQ);
        int index = 0;
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int p = 0; p < pixels; p++, index++) output[index] = Value(input[index], inputQ.ZeroPoint, alpha[c], beta[c], outputQ.ZeroPoint, range);
            }
        }
    }

    /// <summary>One value; see the class summary.</summary>
    public static byte Value(byte x, int inputZeroPoint, float alpha, float beta, int outputZeroPoint, OutputRange range)
    {
        float normalized = MathF.FusedMultiplyAdd(alpha, x - inputZeroPoint, beta);
        // Clamped before rounding (the bounds are integers, so the same bytes), so no value can overflow the conversion.
        float clamped = Math.Clamp(normalized, range.Min - outputZeroPoint, range.Max - outputZeroPoint);
        return (byte)((int)MathF.Round(clamped, MidpointRounding.ToEven) + outputZeroPoint);
    }
}
