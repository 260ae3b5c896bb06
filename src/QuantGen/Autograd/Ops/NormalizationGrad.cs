namespace QuantGen.Autograd;

/// <summary>Gradients of layer norm, softmax and log-softmax.</summary>
internal static class NormalizationGrad
{
    /// <summary>
    /// Per row of D values, with x̂ and invStd recomputed as the forward kernel computes them and g = dy·γ:
    /// dx = invStd·(g − mean(g) − x̂·mean(g·x̂)), dγ = Σ dy·x̂, dβ = Σ dy.
    /// </summary>
    public static Tensor RecordLayerNorm(Tensor output, Tensor input, int count, Tensor? weight, Tensor? bias, float eps) =>
        GradNode.Record(output, "LayerNorm", [input, weight, bias], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            var dGamma = inputs.For(1);
            var dBeta = inputs.For(2);
            var gamma = weight?.Data;
            Span<float> xHat = count <= 1024 ? stackalloc float[count] : new float[count];
            for (int start = 0; start < input.Length; start += count)
            {
                float invStd = Normalize(input.Data.AsSpan(start, count), eps, xHat);
                var dyRow = dy.AsSpan(start, count);
                double sumG = 0, sumGXhat = 0;
                for (int i = 0; i < count; i++)
                {
                    float g = dyRow[i] * (gamma?[i] ?? 1f);
                    sumG += g;
                    sumGXhat += g * (double)xHat[i];
                    if (!dGamma.IsEmpty) dGamma[i] += dyRow[i] * xHat[i];
                    if (!dBeta.IsEmpty) dBeta[i] += dyRow[i];
                }
                if (dx.IsEmpty) continue;
                float meanG = (float)(sumG / count), meanGXhat = (float)(sumGXhat / count);
                var dxRow = dx.Slice(start, count);
                for (int i = 0; i < count; i++)
                {
                    float g = dyRow[i] * (gamma?[i] ?? 1f);
                    dxRow[i] += invStd * (g - meanG - xHat[i] * meanGXhat);
                }
            }
        });

    /// <summary>x̂ of one row and its 1/√(var + ε), as <c>NormalizationKernels.LayerNorm</c> computes them.</summary>
    private static float Normalize(ReadOnlySpan<float> x, float eps, Span<float> xHat)
    {
        double mean = 0;
        foreach (float v in x) mean += v;
        mean /= x.Length;
        double variance = 0;
        foreach (float v in x) variance += (v - mean) * (v - mean);
        variance /= x.Length;
        float invStd = (float)(1.0 / Math.Sqrt(variance + eps));
        for (int i = 0; i < x.Length; i++) xHat[i] = (float)(x[i] - mean) * invStd;
        return invStd;
    }

    /// <summary>Softmax y along an axis: dx = y·(dy − Σ dy·y) over that axis.</summary>
    public static Tensor RecordSoftmax(Tensor output, Tensor input, int outer, int size, int inner) =>
        GradNode.Record(output, "Softmax", [input], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            var y = output.Data;
            for (int line = 0; line < outer * inner && !dx.IsEmpty; line++)
            {
                int start = line / inner * size * inner + line % inner;
                float dot = 0;
                for (int i = start; i < start + size * inner; i += inner) dot += dy[i] * y[i];
                for (int i = start; i < start + size * inner; i += inner) dx[i] += y[i] * (dy[i] - dot);
            }
        });

    /// <summary>Log-softmax y along an axis: dx = dy − exp(y)·Σ dy over that axis.</summary>
    public static Tensor RecordLogSoftmax(Tensor output, Tensor input, int outer, int size, int inner) =>
        GradNode.Record(output, "LogSoftmax", [input], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            var y = output.Data;
            for (int line = 0; line < outer * inner && !dx.IsEmpty; line++)
            {
                int start = line / inner * size * inner + line % inner;
                float sum = 0;
                for (int i = start; i < start + size * inner; i += inner) sum += dy[i];
                for (int i = start; i < start + size * inner; i += inner) dx[i] += dy[i] - MathF.Exp(y[i]) * sum;
            }
        });
}
