using QuantGen.Kernels;

namespace QuantGen.Autograd;

/// <summary>
/// Gradients of a depthwise convolution (one input and one output channel per group) computed directly, tap by
/// tap over each channel's plane: the general path's im2col and GEMM per group cost far more than the
/// arithmetic when a group is a single channel with a 3×3 kernel (MobileNetV2's blocks have up to 960 of them).
/// dW[c, ki, kj] = Σ dY[n, c, oh, ow]·X[n, c, ih, iw] and dX[n, c, ih, iw] += W[c, ki, kj]·dY[n, c, oh, ow] over the
/// output pixels whose window puts tap (ki, kj) on (ih, iw). Images run in fixed chunks as in <see cref="Conv2dGrad"/>,
/// with per-chunk weight gradients added in order, so the result does not depend on thread scheduling.
/// </summary>
internal static class DepthwiseConvGrad
{
    private const int ImagesPerChunk = 4;

    /// <summary>True for the shapes this path covers: groups of one input and one output channel.</summary>
    public static bool Covers(in ConvGeometry g) => g.Groups > 1 && g.InChannelsPerGroup == 1 && g.OutChannelsPerGroup == 1;

    public static void InputAndWeight(ConvGeometry g, float[] x, float[] w, float[] dy, float[]? dx, float[]? dw)
    {
        int chunks = (g.Batch + ImagesPerChunk - 1) / ImagesPerChunk;
        float[][]? partials = dw is null ? null : new float[chunks][];
        Parallel.For(0, chunks, chunk =>
        {
            float[]? partial = dw is null ? null : partials![chunk] = new float[dw.Length];
            int end = Math.Min(g.Batch, (chunk + 1) * ImagesPerChunk);
            for (int n = chunk * ImagesPerChunk; n < end; n++)
            {
                for (int c = 0; c < g.OutChannels; c++) Plane(g, n, c, x, w, dy, dx, partial);
            }
        });
        if (partials is null) return;
        foreach (var partial in partials) ElementwiseGrad.AddInto(dw, partial);
    }

    private static void Plane(in ConvGeometry g, int n, int c, float[] x, float[] w, float[] dy, float[]? dx, float[]? dw)
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth, taps = g.KernelHeight * g.KernelWidth;
        var input = x.AsSpan((n * g.InChannels + c) * inPlane, inPlane);
        var outputGradient = dy.AsSpan((n * g.OutChannels + c) * outPlane, outPlane);
        var inputGradient = dx is null ? default : dx.AsSpan((n * g.InChannels + c) * inPlane, inPlane);
        for (int ki = 0; ki < g.KernelHeight; ki++)
        {
            for (int kj = 0; kj < g.KernelWidth; kj++)
            {
                int tap = ki * g.KernelWidth + kj;
                float weight = w[c * taps + tap];
                double weightGradient = 0;
                // The output columns whose input column (ow·stride − pad + kj·dilation) lies inside the image.
                int colOffset = kj * g.DilationWidth - g.PadWidth;
                int owStart = Math.Max(0, CeilDiv(-colOffset, g.StrideWidth));
                int owEnd = Math.Min(g.OutWidth, CeilDiv(g.InWidth - colOffset, g.StrideWidth));
                for (int oh = 0; oh < g.OutHeight; oh++)
                {
                    int ih = oh * g.StrideHeight - g.PadHeight + ki * g.DilationHeight;
                    if ((uint)ih >= (uint)g.InHeight) continue;
                    var dyRow = outputGradient.Slice(oh * g.OutWidth, g.OutWidth);
                    int rowStart = ih * g.InWidth + colOffset;
                    float rowSum = 0;
                    for (int ow = owStart; ow < owEnd; ow++)
                    {
                        int index = rowStart + ow * g.StrideWidth;
                        rowSum += dyRow[ow] * input[index];
                        if (dx is not null) inputGradient[index] += weight * dyRow[ow];
                    }
                    weightGradient += rowSum;
                }
                if (dw is not null) dw[c * taps + tap] += (float)weightGradient;
            }
        }
    }

    private static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -(-a / b);
}
