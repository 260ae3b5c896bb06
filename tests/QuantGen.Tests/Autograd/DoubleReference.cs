using QuantGen.Kernels;

namespace QuantGen.Tests.Autograd;

/// <summary>
/// Plain float64 forwards of the differentiable ops, written from their definitions (not from the kernels), so
/// that finite differences of them are accurate to ~1e-9 and check both the gradients and the float forwards.
/// </summary>
internal static class DoubleReference
{
    public static double[] Conv2d(double[] x, double[] w, double[]? b, ConvGeometry g)
    {
        var y = new double[g.OutputLength];
        int cin = g.InChannelsPerGroup, rows = g.OutChannelsPerGroup;
        for (int n = 0; n < g.Batch; n++)
        for (int co = 0; co < g.OutChannels; co++)
        for (int oh = 0; oh < g.OutHeight; oh++)
        for (int ow = 0; ow < g.OutWidth; ow++)
        {
            double sum = b?[co] ?? 0;
            int group = co / rows;
            for (int ci = 0; ci < cin; ci++)
            for (int ki = 0; ki < g.KernelHeight; ki++)
            for (int kj = 0; kj < g.KernelWidth; kj++)
            {
                int r = oh * g.StrideHeight - g.PadHeight + ki * g.DilationHeight;
                int c = ow * g.StrideWidth - g.PadWidth + kj * g.DilationWidth;
                if (r < 0 || r >= g.InHeight || c < 0 || c >= g.InWidth) continue;
                sum += x[((n * g.InChannels + group * cin + ci) * g.InHeight + r) * g.InWidth + c] *
                       w[((co * cin + ci) * g.KernelHeight + ki) * g.KernelWidth + kj];
            }
            y[((n * g.OutChannels + co) * g.OutHeight + oh) * g.OutWidth + ow] = sum;
        }
        return y;
    }

    public static double[] Linear(double[] x, double[] w, double[]? b, int inFeatures, int outFeatures)
    {
        int rows = x.Length / inFeatures;
        var y = new double[rows * outFeatures];
        for (int r = 0; r < rows; r++)
        for (int o = 0; o < outFeatures; o++)
        {
            double sum = b?[o] ?? 0;
            for (int i = 0; i < inFeatures; i++) sum += x[r * inFeatures + i] * w[o * inFeatures + i];
            y[r * outFeatures + o] = sum;
        }
        return y;
    }

    /// <summary>Training-mode batch norm: batch mean and biased variance per channel of NCHW.</summary>
    public static double[] BatchNormTraining(double[] x, double[]? gamma, double[]? beta, int batch, int channels, int plane, double eps)
    {
        var y = new double[x.Length];
        for (int c = 0; c < channels; c++)
        {
            double mean = 0, variance = 0;
            foreach (int i in ChannelIndices(batch, channels, plane, c)) mean += x[i];
            mean /= batch * plane;
            foreach (int i in ChannelIndices(batch, channels, plane, c)) variance += (x[i] - mean) * (x[i] - mean);
            variance /= batch * plane;
            foreach (int i in ChannelIndices(batch, channels, plane, c))
            {
                y[i] = (x[i] - mean) / Math.Sqrt(variance + eps) * (gamma?[c] ?? 1) + (beta?[c] ?? 0);
            }
        }
        return y;
    }

    public static double[] BatchNormEval(double[] x, double[] gamma, double[] beta, double[] mean, double[] variance, int batch, int channels, int plane, double eps)
    {
        var y = new double[x.Length];
        for (int c = 0; c < channels; c++)
        {
            foreach (int i in ChannelIndices(batch, channels, plane, c)) y[i] = (x[i] - mean[c]) / Math.Sqrt(variance[c] + eps) * gamma[c] + beta[c];
        }
        return y;
    }

    private static IEnumerable<int> ChannelIndices(int batch, int channels, int plane, int c)
    {
        for (int n = 0; n < batch; n++)
        for (int i = 0; i < plane; i++) yield return (n * channels + c) * plane + i;
    }

    public static double[] LayerNorm(double[] x, int count, double[]? gamma, double[]? beta, double eps)
    {
        var y = new double[x.Length];
        for (int start = 0; start < x.Length; start += count)
        {
            double mean = 0, variance = 0;
            for (int i = 0; i < count; i++) mean += x[start + i];
            mean /= count;
            for (int i = 0; i < count; i++) variance += (x[start + i] - mean) * (x[start + i] - mean);
            variance /= count;
            for (int i = 0; i < count; i++) y[start + i] = (x[start + i] - mean) / Math.Sqrt(variance + eps) * (gamma?[i] ?? 1) + (beta?[i] ?? 0);
        }
        return y;
    }

    public static double[] Softmax(double[] x, int outer, int size, int inner, bool log)
    {
        var y = new double[x.Length];
        for (int o = 0; o < outer; o++)
        for (int k = 0; k < inner; k++)
        {
            int start = o * size * inner + k;
            double sum = 0;
            for (int i = 0; i < size; i++) sum += Math.Exp(x[start + i * inner]);
            for (int i = 0; i < size; i++) y[start + i * inner] = log ? x[start + i * inner] - Math.Log(sum) : Math.Exp(x[start + i * inner]) / sum;
        }
        return y;
    }

    public static double CrossEntropy(double[] logits, int[] labels, int classes)
    {
        var logProbabilities = Softmax(logits, labels.Length, classes, 1, log: true);
        double loss = 0;
        for (int n = 0; n < labels.Length; n++) loss -= logProbabilities[n * classes + labels[n]];
        return loss / labels.Length;
    }

    public static double[] MaxPool(double[] x, PoolGeometry g)
    {
        var y = new double[g.Planes * g.OutHeight * g.OutWidth];
        Pool(g, (p, i, j, window) => y[(p * g.OutHeight + i) * g.OutWidth + j] = window.Max(index => x[index]));
        return y;
    }

    public static double[] AvgPool(double[] x, PoolGeometry g, bool countIncludePad)
    {
        var y = new double[g.Planes * g.OutHeight * g.OutWidth];
        Pool(g, (p, i, j, window) =>
        {
            int h0 = i * g.StrideHeight - g.PadHeight, w0 = j * g.StrideWidth - g.PadWidth;
            int padded = (Math.Min(h0 + g.KernelHeight, g.InHeight + g.PadHeight) - h0) * (Math.Min(w0 + g.KernelWidth, g.InWidth + g.PadWidth) - w0);
            y[(p * g.OutHeight + i) * g.OutWidth + j] = window.Sum(index => x[index]) / (countIncludePad ? padded : window.Count);
        });
        return y;
    }

    /// <summary>Calls <paramref name="cell"/> with the in-bounds input indices of every window (dilation 1 unless given).</summary>
    private static void Pool(PoolGeometry g, Action<int, int, int, List<int>> cell)
    {
        for (int p = 0; p < g.Planes; p++)
        for (int i = 0; i < g.OutHeight; i++)
        for (int j = 0; j < g.OutWidth; j++)
        {
            var window = new List<int>();
            for (int ki = 0; ki < g.KernelHeight; ki++)
            for (int kj = 0; kj < g.KernelWidth; kj++)
            {
                int r = i * g.StrideHeight - g.PadHeight + ki * g.DilationHeight, c = j * g.StrideWidth - g.PadWidth + kj * g.DilationWidth;
                if (r >= 0 && r < g.InHeight && c >= 0 && c < g.InWidth) window.Add((p * g.InHeight + r) * g.InWidth + c);
            }
            cell(p, i, j, window);
        }
    }

    public static double[] AdaptiveAvgPool(double[] x, int planes, int inHeight, int inWidth, int outHeight, int outWidth)
    {
        var y = new double[planes * outHeight * outWidth];
        for (int p = 0; p < planes; p++)
        for (int i = 0; i < outHeight; i++)
        for (int j = 0; j < outWidth; j++)
        {
            int r0 = (int)Math.Floor((double)i * inHeight / outHeight), r1 = (int)Math.Ceiling((double)(i + 1) * inHeight / outHeight);
            int c0 = (int)Math.Floor((double)j * inWidth / outWidth), c1 = (int)Math.Ceiling((double)(j + 1) * inWidth / outWidth);
            double sum = 0;
            for (int r = r0; r < r1; r++)
            for (int c = c0; c < c1; c++) sum += x[(p * inHeight + r) * inWidth + c];
            y[(p * outHeight + i) * outWidth + j] = sum / ((r1 - r0) * (c1 - c0));
        }
        return y;
    }

    public static double[] Clamp(double[] x, double min, double max) => Array.ConvertAll(x, v => Math.Min(Math.Max(v, min), max));
}
