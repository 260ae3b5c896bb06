using QuantGen.Quantization;

namespace QuantGen.Kernels.Float;

/// <summary>Float pooling over NCHW planes. Cheap next to convolution, so plain loops.</summary>
public static class PoolingKernels
{
    public static void MaxPool(in PoolGeometry g, ReadOnlySpan<float> input, Span<float> output)
    {
        int oh = g.OutHeight, ow = g.OutWidth, inPlane = g.InHeight * g.InWidth;
        for (int p = 0; p < g.Planes; p++)
        {
            var x = input.Slice(p * inPlane, inPlane);
            var y = output.Slice(p * oh * ow, oh * ow);
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++)
                {
                    float best = float.NegativeInfinity;
                    bool nan = false;
                    for (int ki = 0; ki < g.KernelHeight; ki++)
                    {
                        int r = i * g.StrideHeight - g.PadHeight + ki * g.DilationHeight;
                        if ((uint)r >= (uint)g.InHeight) continue;
                        for (int kj = 0; kj < g.KernelWidth; kj++)
                        {
                            int c = j * g.StrideWidth - g.PadWidth + kj * g.DilationWidth;
                            if ((uint)c >= (uint)g.InWidth) continue;
                            float v = x[r * g.InWidth + c];
                            if (v > best) best = v;
                            nan |= float.IsNaN(v);
                        }
                    }
                    y[i * ow + j] = nan ? float.NaN : best;
                }
            }
        }
    }

    /// <summary>PyTorch's avg_pool2d: the divisor counts padding when <paramref name="countIncludePad"/>, never the overhang of ceil mode.</summary>
    public static void AvgPool(in PoolGeometry g, bool countIncludePad, ReadOnlySpan<float> input, Span<float> output)
    {
        int oh = g.OutHeight, ow = g.OutWidth, inPlane = g.InHeight * g.InWidth;
        for (int p = 0; p < g.Planes; p++)
        {
            var x = input.Slice(p * inPlane, inPlane);
            var y = output.Slice(p * oh * ow, oh * ow);
            for (int i = 0; i < oh; i++)
            {
                int h0 = i * g.StrideHeight - g.PadHeight;
                int h1 = Math.Min(h0 + g.KernelHeight, g.InHeight + g.PadHeight);
                for (int j = 0; j < ow; j++)
                {
                    int w0 = j * g.StrideWidth - g.PadWidth;
                    int w1 = Math.Min(w0 + g.KernelWidth, g.InWidth + g.PadWidth);
                    int padded = (h1 - h0) * (w1 - w0);
                    int rs = Math.Max(h0, 0), re = Math.Min(h1, g.InHeight);
                    int cs = Math.Max(w0, 0), ce = Math.Min(w1, g.InWidth);
                    float sum = 0;
                    for (int r = rs; r < re; r++)
                    {
                        for (int c = cs; c < ce; c++) sum += x[r * g.InWidth + c];
                    }
                    int divisor = countIncludePad ? padded : (re - rs) * (ce - cs);
                    y[i * ow + j] = sum / divisor;
                }
            }
        }
    }

    /// <summary>
    /// Adaptive average pooling: output cell o covers [⌊o·in/out⌋, ⌈(o+1)·in/out⌉). In PyTorch 1.13's order, so that
    /// observers downstream see its bits: to one cell, it is <c>mean</c> over the plane (torch.sum's cascade, then ÷ the
    /// pixel count); otherwise each cell's sum runs row by row, then ÷ its rows ÷ its columns.
    /// </summary>
    public static void AdaptiveAvgPool(int planes, int inHeight, int inWidth, int outHeight, int outWidth, ReadOnlySpan<float> input, Span<float> output)
    {
        int inPlane = inHeight * inWidth;
        if (outHeight == 1 && outWidth == 1 && TorchFloatSum.IsPlainSum(inPlane))
        {
            MeansOfShortPlanes(planes, inPlane, input, output);
            return;
        }
        for (int p = 0; p < planes; p++)
        {
            var x = input.Slice(p * inPlane, inPlane);
            if (outHeight == 1 && outWidth == 1)
            {
                output[p] = TorchFloatSum.Sum(x) / inPlane;
                continue;
            }
            for (int i = 0; i < outHeight; i++)
            {
                int r0 = i * inHeight / outHeight, r1 = ((i + 1) * inHeight + outHeight - 1) / outHeight;
                for (int j = 0; j < outWidth; j++)
                {
                    int c0 = j * inWidth / outWidth, c1 = ((j + 1) * inWidth + outWidth - 1) / outWidth;
                    float sum = 0;
                    for (int r = r0; r < r1; r++)
                    {
                        for (int c = c0; c < c1; c++) sum += x[r * inWidth + c];
                    }
                    output[(p * outHeight + i) * outWidth + j] = sum / (r1 - r0) / (c1 - c0);
                }
            }
        }
    }

    /// <summary>
    /// Each plane's mean when a plane is too short for torch.sum's vectors (the late layers of a small image: 1280
    /// planes of one pixel each per sample): its values summed in order from +0, then ÷ the pixel count, as
    /// <see cref="TorchFloatSum.Sum"/> does then; one loop over all planes, without a call per plane.
    /// </summary>
    private static void MeansOfShortPlanes(int planes, int inPlane, ReadOnlySpan<float> input, Span<float> output)
    {
        input = input[..(planes * inPlane)];
        output = output[..planes];
        for (int p = 0, at = 0; p < output.Length; p++)
        {
            float sum = 0f;
            for (int end = at + inPlane; at < end; at++) sum += input[at];
            output[p] = sum / inPlane;
        }
    }
}
