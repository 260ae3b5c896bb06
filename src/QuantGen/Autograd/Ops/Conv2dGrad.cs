using System.Buffers;
using QuantGen.Kernels;
using QuantGen.Kernels.Float;

namespace QuantGen.Autograd;

/// <summary>
/// Gradients of a grouped 2-D convolution as GEMMs over explicit im2col matrices, per image and group:
/// dW_g += dY_g · colsᵀ and dcols = W_gᵀ · dY_g (scattered back by col2im). Images run in parallel in fixed
/// chunks; each chunk sums its own weight gradient and the chunks are added in order, so the result does not
/// depend on how threads are scheduled.
/// </summary>
internal static class Conv2dGrad
{
    // Images per chunk: fixed, not derived from the core count, so the summation order is the same everywhere.
    private const int ImagesPerChunk = 4;

    public static Tensor Record(Tensor output, Tensor input, Tensor weight, Tensor? bias, ConvGeometry geometry) =>
        GradNode.Record(output, "Conv2d", [input, weight, bias], (dy, inputs) =>
        {
            var dx = inputs.ArrayFor(0);
            var dw = inputs.ArrayFor(1);
            if (dx is not null || dw is not null)
            {
                if (DepthwiseConvGrad.Covers(geometry)) DepthwiseConvGrad.InputAndWeight(geometry, input.Data, weight.Data, dy, dx, dw);
                else ThroughColumns(geometry, input.Data, weight.Data, dy, dx, dw);
            }
            var db = inputs.For(2);
            if (!db.IsEmpty) BiasGradient(geometry, dy, db);
        });

    /// <summary>The general path: any groups, through im2col and GEMMs.</summary>
    internal static void ThroughColumns(ConvGeometry g, float[] x, float[] w, float[] dy, float[]? dx, float[]? dw)
    {
        int k = g.InChannelsPerGroup * g.KernelHeight * g.KernelWidth;
        float[]? transposedWeight = dx is null ? null : TransposeGroups(g, w, k);
        int chunks = (g.Batch + ImagesPerChunk - 1) / ImagesPerChunk;
        float[][]? partials = dw is null ? null : new float[chunks][];
        Parallel.For(0, chunks, chunk =>
        {
            float[]? partial = dw is null ? null : partials![chunk] = new float[dw.Length];
            int end = Math.Min(g.Batch, (chunk + 1) * ImagesPerChunk);
            for (int n = chunk * ImagesPerChunk; n < end; n++) Image(g, k, n, x, transposedWeight, dy, dx, partial);
        });
        if (partials is null) return;
        foreach (var partial in partials) ElementwiseGrad.AddInto(dw, partial);
    }

    private static void Image(in ConvGeometry g, int k, int n, float[] x, float[]? transposedWeight, float[] dy, float[]? dx, float[]? dw)
    {
        int pixels = g.OutHeight * g.OutWidth, rows = g.OutChannelsPerGroup;
        float[] columns = ArrayPool<float>.Shared.Rent(pixels * k);
        try
        {
            for (int group = 0; group < g.Groups; group++)
            {
                var dyGroup = dy.AsSpan((n * g.OutChannels + group * rows) * pixels, rows * pixels);
                if (dw is not null)
                {
                    // dW_g [rows, k] += dY_g [rows, pixels] · colsᵀ [pixels, k]
                    TransposedColumns(g, x, n, group, columns);
                    Sgemm.Multiply(rows, k, pixels, dyGroup, pixels, columns, k, dw.AsSpan(group * rows * k, rows * k), k, accumulate: true);
                }
                if (transposedWeight is not null)
                {
                    // dcols [k, pixels] = W_gᵀ [k, rows] · dY_g [rows, pixels], then added back where each column came from.
                    Sgemm.Multiply(k, pixels, rows, transposedWeight.AsSpan(group * k * rows, k * rows), rows, dyGroup, pixels, columns, pixels);
                    ScatterColumns(g, columns, n, group, dx!);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(columns);
        }
    }

    /// <summary>colsᵀ [pixel, (ci, ki, kj)]: the input value each weight tap meets at each output pixel (0 in the padding).</summary>
    private static void TransposedColumns(in ConvGeometry g, float[] x, int n, int group, float[] columns)
    {
        int cin = g.InChannelsPerGroup, kh = g.KernelHeight, kw = g.KernelWidth, k = cin * kh * kw;
        for (int oh = 0; oh < g.OutHeight; oh++)
        {
            for (int ow = 0; ow < g.OutWidth; ow++)
            {
                var row = columns.AsSpan((oh * g.OutWidth + ow) * k, k);
                int tap = 0;
                for (int ci = 0; ci < cin; ci++)
                {
                    int plane = (n * g.InChannels + group * cin + ci) * g.InHeight;
                    for (int ki = 0; ki < kh; ki++)
                    {
                        int r = oh * g.StrideHeight - g.PadHeight + ki * g.DilationHeight;
                        for (int kj = 0; kj < kw; kj++, tap++)
                        {
                            int c = ow * g.StrideWidth - g.PadWidth + kj * g.DilationWidth;
                            row[tap] = (uint)r < (uint)g.InHeight && (uint)c < (uint)g.InWidth ? x[(plane + r) * g.InWidth + c] : 0f;
                        }
                    }
                }
            }
        }
    }

    /// <summary>col2im: dX[n, ci, r, c] += dcols[(ci, ki, kj), pixel] for every tap that read (r, c).</summary>
    private static void ScatterColumns(in ConvGeometry g, float[] columns, int n, int group, float[] dx)
    {
        int cin = g.InChannelsPerGroup, kh = g.KernelHeight, kw = g.KernelWidth, pixels = g.OutHeight * g.OutWidth;
        int tap = 0;
        for (int ci = 0; ci < cin; ci++)
        {
            int plane = (n * g.InChannels + group * cin + ci) * g.InHeight;
            for (int ki = 0; ki < kh; ki++)
            {
                for (int kj = 0; kj < kw; kj++, tap++)
                {
                    var source = columns.AsSpan(tap * pixels, pixels);
                    for (int oh = 0; oh < g.OutHeight; oh++)
                    {
                        int r = oh * g.StrideHeight - g.PadHeight + ki * g.DilationHeight;
                        if ((uint)r >= (uint)g.InHeight) continue;
                        int rowStart = (plane + r) * g.InWidth;
                        for (int ow = 0; ow < g.OutWidth; ow++)
                        {
                            int c = ow * g.StrideWidth - g.PadWidth + kj * g.DilationWidth;
                            if ((uint)c < (uint)g.InWidth) dx[rowStart + c] += source[oh * g.OutWidth + ow];
                        }
                    }
                }
            }
        }
    }

    /// <summary>Each group's weight [rows, k] transposed to [k, rows], groups one after another.</summary>
    private static float[] TransposeGroups(in ConvGeometry g, float[] w, int k)
    {
        int rows = g.OutChannelsPerGroup;
        var transposed = new float[w.Length];
        for (int group = 0; group < g.Groups; group++)
        {
            int offset = group * rows * k;
            for (int r = 0; r < rows; r++)
            {
                for (int t = 0; t < k; t++) transposed[offset + t * rows + r] = w[offset + r * k + t];
            }
        }
        return transposed;
    }

    private static void BiasGradient(in ConvGeometry g, float[] dy, Span<float> db) => BiasGradient(g.Batch, g.OutChannels, g.OutHeight * g.OutWidth, dy, db);

    /// <summary>db[c] += Σ dy over the batch and the pixels of channel c (NCHW), per image in order.</summary>
    internal static void BiasGradient(int batch, int channels, int pixels, float[] dy, Span<float> db)
    {
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                float sum = 0;
                foreach (float v in dy.AsSpan((n * channels + c) * pixels, pixels)) sum += v;
                db[c] += sum;
            }
        }
    }
}
