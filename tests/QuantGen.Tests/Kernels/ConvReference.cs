using QuantGen.Kernels;

namespace QuantGen.Tests.Kernels;

/// <summary>Conv2d as PyTorch defines it, in float64, by brute force; with each output's sum of |term|.</summary>
public static class ConvReference
{
    public static (double[] Expected, double[] Magnitudes) Run(ConvGeometry g, float[] input, float[] weight, float[] bias)
    {
        int oh = g.OutHeight, ow = g.OutWidth, perGroupIn = g.InChannelsPerGroup, perGroupOut = g.OutChannelsPerGroup;
        var expected = new double[g.OutputLength];
        var magnitudes = new double[g.OutputLength];
        int index = 0;
        for (int n = 0; n < g.Batch; n++)
        {
            for (int oc = 0; oc < g.OutChannels; oc++)
            {
                int group = oc / perGroupOut;
                for (int oy = 0; oy < oh; oy++)
                {
                    for (int ox = 0; ox < ow; ox++, index++)
                    {
                        double sum = bias.Length > 0 ? bias[oc] : 0, magnitude = Math.Abs(sum);
                        for (int icg = 0; icg < perGroupIn; icg++)
                        {
                            int ic = group * perGroupIn + icg;
                            for (int ky = 0; ky < g.KernelHeight; ky++)
                            {
                                int iy = oy * g.StrideHeight - g.PadHeight + ky * g.DilationHeight;
                                if (iy < 0 || iy >= g.InHeight) continue;
                                for (int kx = 0; kx < g.KernelWidth; kx++)
                                {
                                    int ix = ox * g.StrideWidth - g.PadWidth + kx * g.DilationWidth;
                                    if (ix < 0 || ix >= g.InWidth) continue;
                                    double term = (double)input[((n * g.InChannels + ic) * g.InHeight + iy) * g.InWidth + ix]
                                        * weight[((oc * perGroupIn + icg) * g.KernelHeight + ky) * g.KernelWidth + kx];
                                    sum += term;
                                    magnitude += Math.Abs(term);
                                }
                            }
                        }
                        expected[index] = sum;
                        magnitudes[index] = magnitude;
                    }
                }
            }
        }
        return (expected, magnitudes);
    }

    /// <summary>Products summed into one output, plus one for the bias.</summary>
    public static int Terms(ConvGeometry g) => g.InChannelsPerGroup * g.KernelHeight * g.KernelWidth + 1;
}
