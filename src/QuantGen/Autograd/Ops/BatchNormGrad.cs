namespace QuantGen.Autograd;

/// <summary>
/// Gradients of a BatchNorm (1-D or 2-D: the values of a channel are the plane after dimension 1). In training mode the batch statistics depend on the input, which gives the
/// extra terms of dx; in eval mode it is a fixed per-channel affine map.
/// </summary>
internal static class BatchNormGrad
{
    /// <summary>
    /// Training mode, y = x̂·γ + β with x̂ = (x − mean)·invStd over the batch (biased variance). Per channel, over its M values:
    /// dγ = Σ dy·x̂, dβ = Σ dy, dx = γ·invStd·(dy − Σdy/M − x̂·Σ(dy·x̂)/M).
    /// </summary>
    public static Tensor RecordTraining(Tensor output, Tensor input, Tensor? weight, Tensor? bias, float[] mean, float[] invStd) =>
        GradNode.Record(output, "BatchNorm", [input, weight, bias], (dy, inputs) =>
        {
            var (batch, channels, plane) = Dimensions(input);
            var x = input.Data;
            var dx = inputs.For(0);
            var dGamma = inputs.For(1);
            var dBeta = inputs.For(2);
            double count = (double)batch * plane;
            for (int c = 0; c < channels; c++)
            {
                var (sumDy, sumDyXhat) = Sums(x, dy, batch, channels, plane, c, mean[c], invStd[c]);
                if (!dGamma.IsEmpty) dGamma[c] += (float)sumDyXhat;
                if (!dBeta.IsEmpty) dBeta[c] += (float)sumDy;
                if (dx.IsEmpty) continue;
                float gamma = weight?.Data[c] ?? 1f;
                float meanDy = (float)(sumDy / count), meanDyXhat = (float)(sumDyXhat / count), scale = gamma * invStd[c];
                for (int n = 0; n < batch; n++)
                {
                    int start = (n * channels + c) * plane;
                    for (int i = start; i < start + plane; i++)
                    {
                        float xHat = (x[i] - mean[c]) * invStd[c];
                        dx[i] += scale * (dy[i] - meanDy - xHat * meanDyXhat);
                    }
                }
            }
        });

    /// <summary>Eval mode, y = x·scale + shift with scale = γ·invStd from the running statistics: dx = dy·scale, dγ = Σ dy·x̂, dβ = Σ dy.</summary>
    public static Tensor RecordEval(Tensor output, Tensor input, Tensor? weight, Tensor? bias, float[] scale, float[] mean, float[] invStd) =>
        GradNode.Record(output, "BatchNorm", [input, weight, bias], (dy, inputs) =>
        {
            var (batch, channels, plane) = Dimensions(input);
            var dx = inputs.For(0);
            var dGamma = inputs.For(1);
            var dBeta = inputs.For(2);
            for (int c = 0; c < channels; c++)
            {
                var (sumDy, sumDyXhat) = Sums(input.Data, dy, batch, channels, plane, c, mean[c], invStd[c]);
                if (!dGamma.IsEmpty) dGamma[c] += (float)sumDyXhat;
                if (!dBeta.IsEmpty) dBeta[c] += (float)sumDy;
                for (int n = 0; n < batch && !dx.IsEmpty; n++)
                {
                    int start = (n * channels + c) * plane;
                    for (int i = start; i < start + plane; i++) dx[i] += dy[i] * scale[c];
                }
            }
        });

    private static (int Batch, int Channels, int Plane) Dimensions(Tensor input) =>
        (input.Size(0), input.Size(1), input.Length == 0 ? 0 : input.Length / (input.Size(0) * input.Size(1)));

    /// <summary>Σ dy and Σ dy·x̂ over one channel, in double so that large batches lose nothing.</summary>
    private static (double SumDy, double SumDyXhat) Sums(float[] x, float[] dy, int batch, int channels, int plane, int c, float mean, float invStd)
    {
        double sumDy = 0, sumDyXhat = 0;
        for (int n = 0; n < batch; n++)
        {
            int start = (n * channels + c) * plane;
            for (int i = start; i < start + plane; i++)
            {
                sumDy += dy[i];
                sumDyXhat += dy[i] * (double)((x[i] - mean) * invStd);
            }
        }
        return (sumDy, sumDyXhat);
    }
}
