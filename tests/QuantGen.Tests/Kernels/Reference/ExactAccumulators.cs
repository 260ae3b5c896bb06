using QuantGen.Kernels;
using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Kernels.Reference;

/// <summary>
/// The int32 accumulators of conv and linear, by brute force in long: <c>bias + Σ (x − z_in)·(w − z_w)</c>.
/// The convolution pads its input explicitly with the input zero point, as qnnpack does, rather than skipping taps
/// as the kernel does, so the two agree only if padding really adds nothing.
/// </summary>
internal static class ExactAccumulators
{
    public static long[] Conv(ConvGeometry g, byte[] input, int inputZeroPoint, sbyte[] weight, WeightQParams weightQ, int[] bias)
    {
        int paddedHeight = g.InHeight + 2 * g.PadHeight, paddedWidth = g.InWidth + 2 * g.PadWidth;
        var padded = new int[g.Batch, g.InChannels, paddedHeight, paddedWidth];
        for (int n = 0; n < g.Batch; n++)
        for (int c = 0; c < g.InChannels; c++)
        for (int y = 0; y < paddedHeight; y++)
        for (int x = 0; x < paddedWidth; x++)
        {
            int iy = y - g.PadHeight, ix = x - g.PadWidth;
            bool inside = iy >= 0 && iy < g.InHeight && ix >= 0 && ix < g.InWidth;
            padded[n, c, y, x] = inside ? input[((n * g.InChannels + c) * g.InHeight + iy) * g.InWidth + ix] : inputZeroPoint;
        }

        var result = new long[g.OutputLength];
        int index = 0, perGroupIn = g.InChannelsPerGroup;
        for (int n = 0; n < g.Batch; n++)
        for (int oc = 0; oc < g.OutChannels; oc++)
        {
            int group = oc / g.OutChannelsPerGroup, weightZeroPoint = weightQ.ZeroPoint(oc);
            for (int oy = 0; oy < g.OutHeight; oy++)
            for (int ox = 0; ox < g.OutWidth; ox++)
            {
                long sum = bias.Length > 0 ? bias[oc] : 0;
                for (int icg = 0; icg < perGroupIn; icg++)
                for (int ky = 0; ky < g.KernelHeight; ky++)
                for (int kx = 0; kx < g.KernelWidth; kx++)
                {
                    long x = padded[n, group * perGroupIn + icg, oy * g.StrideHeight + ky * g.DilationHeight, ox * g.StrideWidth + kx * g.DilationWidth];
                    long w = weight[((oc * perGroupIn + icg) * g.KernelHeight + ky) * g.KernelWidth + kx];
                    sum += (x - inputZeroPoint) * (w - weightZeroPoint);
                }
                result[index++] = sum;
            }
        }
        return result;
    }

    public static long[] Linear(byte[] input, int inputZeroPoint, sbyte[] weight, WeightQParams weightQ, int[] bias, int batch, int inFeatures, int outFeatures)
    {
        var result = new long[batch * outFeatures];
        for (int i = 0; i < batch; i++)
        for (int o = 0; o < outFeatures; o++)
        {
            long sum = bias.Length > 0 ? bias[o] : 0;
            for (int k = 0; k < inFeatures; k++)
            {
                sum += (input[i * inFeatures + k] - (long)inputZeroPoint) * (weight[o * inFeatures + k] - (long)weightQ.ZeroPoint(o));
            }
            result[i * outFeatures + o] = sum;
        }
        return result;
    }
}
