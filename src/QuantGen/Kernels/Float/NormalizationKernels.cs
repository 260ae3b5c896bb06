namespace QuantGen.Kernels.Float;

/// <summary>Softmax and layer norm: the ops with no int8 kernel that stay float in a quantized model.</summary>
public static class NormalizationKernels
{
    /// <summary>Softmax along the middle axis of an [outer, size, inner] view, with the row max subtracted for stability.</summary>
    public static void Softmax(ReadOnlySpan<float> input, int outer, int size, int inner, Span<float> output)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int k = 0; k < inner; k++)
            {
                int start = o * size * inner + k;
                float max = float.NegativeInfinity;
                for (int i = 0; i < size; i++) max = MathF.Max(max, input[start + i * inner]);
                float sum = 0;
                for (int i = 0; i < size; i++)
                {
                    float e = MathF.Exp(input[start + i * inner] - max);
                    output[start + i * inner] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                for (int i = 0; i < size; i++) output[start + i * inner] *= inv;
            }
        }
    }

    /// <summary>Log-softmax along the middle axis of an [outer, size, inner] view: x − max − log Σ exp(x − max).</summary>
    public static void LogSoftmax(ReadOnlySpan<float> input, int outer, int size, int inner, Span<float> output)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int k = 0; k < inner; k++)
            {
                int start = o * size * inner + k;
                float max = float.NegativeInfinity;
                for (int i = 0; i < size; i++) max = MathF.Max(max, input[start + i * inner]);
                float sum = 0;
                for (int i = 0; i < size; i++) sum += MathF.Exp(input[start + i * inner] - max);
                float shift = max + MathF.Log(sum);
                for (int i = 0; i < size; i++) output[start + i * inner] = input[start + i * inner] - shift;
            }
        }
    }

    /// <summary>(x − mean) / √(var + ε) · γ + β over each row of <paramref name="count"/> values; biased variance, as PyTorch.</summary>
    public static void LayerNorm(ReadOnlySpan<float> input, int count, float[]? weight, float[]? bias, float eps, Span<float> output)
    {
        for (int start = 0; start < input.Length; start += count)
        {
            var x = input.Slice(start, count);
            var y = output.Slice(start, count);
            double mean = 0;
            foreach (float v in x) mean += v;
            mean /= count;
            double variance = 0;
            foreach (float v in x) variance += (v - mean) * (v - mean);
            variance /= count;
            float invStd = (float)(1.0 / Math.Sqrt(variance + eps));
            for (int i = 0; i < count; i++)
            {
                float normalized = (float)(x[i] - mean) * invStd;
                y[i] = normalized * (weight?[i] ?? 1f) + (bias?[i] ?? 0f);
            }
        }
    }

    /// <summary>
    /// Group norm of samples [channels, pixels]: each of <paramref name="groups"/> runs of channels normalised as one
    /// <see cref="LayerNorm"/> row, then <c>x̂·γ[c] + β[c]</c> per channel (two roundings, as PyTorch's separate ops).
    /// </summary>
    public static void GroupNorm(ReadOnlySpan<float> input, int channels, int pixels, int groups, float[]? weight, float[]? bias, float eps, Span<float> output)
    {
        LayerNorm(input, channels / groups * pixels, null, null, eps, output);
        if (weight is null && bias is null) return;
        for (int start = 0; start < input.Length; start += pixels)
        {
            int c = start / pixels % channels;
            float gamma = weight?[c] ?? 1f, beta = bias?[c] ?? 0f;
            foreach (ref float v in output.Slice(start, pixels)) v = v * gamma + beta;
        }
    }
}
