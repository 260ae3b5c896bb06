namespace QuantGen.Kernels.Float;

/// <summary>
/// Float transposed convolution and its gradients, as scatters: every input pixel times every tap adds into the output
/// pixel it lands on. The forward keeps PyTorch's summation order; the gradients take one weight at a time over whole
/// input rows.
/// </summary>
internal static class FloatConvTranspose2d
{
    /// <summary>
    /// y = Σ over taps of (Σ over input channels of x·w), then + bias, in PyTorch 1.13's CPU order
    /// (<c>slow_conv_transpose2d</c>: a GEMM whose sums run over the input channels in order, col2im adding the taps in
    /// (ky, kx) order onto zeros, the bias added last), so that the float outputs, and the ranges observers see, are
    /// PyTorch's bit for bit.
    /// </summary>
    /// <remarks>An empty <paramref name="bias"/> is none. Its one row of scratch is the thread's (<see cref="FloatScratch"/>): no allocation.</remarks>
    public static unsafe void Forward(in ConvTransposeGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        int inPerGroup = g.InChannelsPerGroup, outPerGroup = g.OutChannelsPerGroup, taps = g.KernelHeight * g.KernelWidth;
        y[..g.OutputLength].Clear();
        var column = new Span<float>(FloatScratch.Acquire(inPlane), inPlane);
        for (int n = 0; n < g.Batch; n++)
        {
            for (int oc = 0; oc < g.OutChannels; oc++)
            {
                int group = oc / outPerGroup, ocg = oc % outPerGroup;
                var output = y.Slice((n * g.OutChannels + oc) * outPlane, outPlane);
                for (int tap = 0; tap < taps; tap++)
                {
                    column.Clear();
                    for (int icg = 0; icg < inPerGroup; icg++)
                    {
                        int ic = group * inPerGroup + icg;
                        float weight = w[(ic * outPerGroup + ocg) * taps + tap];
                        var input = x.Slice((n * g.InChannels + ic) * inPlane, inPlane);
                        for (int i = 0; i < inPlane; i++) column[i] += weight * input[i];
                    }
                    int ky = tap / g.KernelWidth, kx = tap % g.KernelWidth;
                    for (int iy = 0; iy < g.InHeight; iy++)
                    {
                        int oy = iy * g.StrideHeight - g.PadHeight + ky * g.DilationHeight;
                        if ((uint)oy >= (uint)g.OutHeight) continue;
                        for (int ix = 0; ix < g.InWidth; ix++)
                        {
                            int ox = ix * g.StrideWidth - g.PadWidth + kx * g.DilationWidth;
                            if ((uint)ox < (uint)g.OutWidth) output[oy * g.OutWidth + ox] += column[iy * g.InWidth + ix];
                        }
                    }
                }
                if (!bias.IsEmpty)
                {
                    foreach (ref float v in output) v += bias[oc];
                }
            }
        }
    }

    /// <summary>dx += Σ dy·w over the output pixels each input pixel reached.</summary>
    public static void InputGradient(ConvTransposeGeometry g, float[] dy, float[] w, float[] dx)
    {
        Visit(g, (n, ic, oc, weightIndex, iy, oy, pairs) =>
        {
            float weight = w[weightIndex];
            var dxRow = dx.AsSpan(((n * g.InChannels + ic) * g.InHeight + iy) * g.InWidth, g.InWidth);
            var dyRow = dy.AsSpan(((n * g.OutChannels + oc) * g.OutHeight + oy) * g.OutWidth, g.OutWidth);
            foreach (var (ix, ox) in pairs) dxRow[ix] += dyRow[ox] * weight;
        });
    }

    /// <summary>dw += Σ x·dy over every input pixel and the output pixel its tap reached.</summary>
    public static void WeightGradient(ConvTransposeGeometry g, float[] x, float[] dy, float[] dw)
    {
        Visit(g, (n, ic, oc, weightIndex, iy, oy, pairs) =>
        {
            var xRow = x.AsSpan(((n * g.InChannels + ic) * g.InHeight + iy) * g.InWidth, g.InWidth);
            var dyRow = dy.AsSpan(((n * g.OutChannels + oc) * g.OutHeight + oy) * g.OutWidth, g.OutWidth);
            float sum = 0;
            foreach (var (ix, ox) in pairs) sum += xRow[ix] * dyRow[ox];
            dw[weightIndex] += sum;
        });
    }

    /// <summary>One input row, one tap: the input row and output row it joins, and the (input, output) column pairs.</summary>
    private delegate void RowVisitor(int n, int ic, int oc, int weightIndex, int iy, int oy, ReadOnlySpan<(int Input, int Output)> pairs);

    /// <summary>Every (image, input channel, output channel, tap, input row) the transposed convolution joins.</summary>
    private static void Visit(in ConvTransposeGeometry g, RowVisitor visit)
    {
        int inPerGroup = g.InChannelsPerGroup, outPerGroup = g.OutChannelsPerGroup;
        // Per kx: the input columns and the output columns they reach.
        var columns = new (int Input, int Output)[g.KernelWidth][];
        for (int kx = 0; kx < g.KernelWidth; kx++)
        {
            var pairs = new List<(int, int)>();
            for (int ix = 0; ix < g.InWidth; ix++)
            {
                int ox = ix * g.StrideWidth - g.PadWidth + kx * g.DilationWidth;
                if ((uint)ox < (uint)g.OutWidth) pairs.Add((ix, ox));
            }
            columns[kx] = [.. pairs];
        }
        for (int n = 0; n < g.Batch; n++)
        {
            for (int ic = 0; ic < g.InChannels; ic++)
            {
                int group = ic / inPerGroup;
                for (int ocg = 0; ocg < outPerGroup; ocg++)
                {
                    int oc = group * outPerGroup + ocg;
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        for (int kx = 0; kx < g.KernelWidth; kx++)
                        {
                            int weightIndex = ((ic * outPerGroup + ocg) * g.KernelHeight + ky) * g.KernelWidth + kx;
                            for (int iy = 0; iy < g.InHeight; iy++)
                            {
                                int oy = iy * g.StrideHeight - g.PadHeight + ky * g.DilationHeight;
                                if ((uint)oy < (uint)g.OutHeight) visit(n, ic, oc, weightIndex, iy, oy, columns[kx]);
                            }
                        }
                    }
                }
            }
        }
    }
}
