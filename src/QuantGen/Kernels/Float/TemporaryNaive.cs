namespace QuantGen.Kernels.Float;

// Placeholder until the SIMD kernels land; removed by that merge.
public static class FloatConv2d
{
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output)
    {
        int oh = g.OutHeight, ow = g.OutWidth, cinG = g.InChannelsPerGroup, coutG = g.OutChannelsPerGroup;
        for (int n = 0; n < g.Batch; n++)
        for (int co = 0; co < g.OutChannels; co++)
        {
            int grp = co / coutG;
            for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                float sum = bias.IsEmpty ? 0 : bias[co];
                for (int ci = 0; ci < cinG; ci++)
                for (int ki = 0; ki < g.KernelHeight; ki++)
                {
                    int r = i * g.StrideHeight - g.PadHeight + ki * g.DilationHeight;
                    if ((uint)r >= (uint)g.InHeight) continue;
                    for (int kj = 0; kj < g.KernelWidth; kj++)
                    {
                        int c = j * g.StrideWidth - g.PadWidth + kj * g.DilationWidth;
                        if ((uint)c >= (uint)g.InWidth) continue;
                        sum += input[((n * g.InChannels + grp * cinG + ci) * g.InHeight + r) * g.InWidth + c]
                             * weight[((co * cinG + ci) * g.KernelHeight + ki) * g.KernelWidth + kj];
                    }
                }
                output[((n * g.OutChannels + co) * oh + i) * ow + j] = sum;
            }
        }
    }
}

public static class FloatLinear
{
    public static void Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int batch, int inFeatures, int outFeatures, Span<float> output)
    {
        for (int n = 0; n < batch; n++)
        for (int o = 0; o < outFeatures; o++)
        {
            float sum = bias.IsEmpty ? 0 : bias[o];
            for (int i = 0; i < inFeatures; i++) sum += input[n * inFeatures + i] * weight[o * inFeatures + i];
            output[n * outFeatures + o] = sum;
        }
    }
}
