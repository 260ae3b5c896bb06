using QuantGen.Kernels;

namespace QuantGen.Autograd;

/// <summary>Gradients of the pooling ops, walking the same windows as <c>PoolingKernels</c>.</summary>
internal static class PoolingGrad
{
    /// <summary>Each output's gradient goes to the first maximum of its window (a NaN wins), as PyTorch's CPU kernel picks it.</summary>
    public static Tensor RecordMax(Tensor output, Tensor input, PoolGeometry g) =>
        GradNode.Record(output, "MaxPool2d", [input], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            if (dx.IsEmpty) return;
            var x = input.Data;
            int oh = g.OutHeight, ow = g.OutWidth, inPlane = g.InHeight * g.InWidth;
            for (int p = 0; p < g.Planes; p++)
            {
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        int argmax = ArgMax(g, x, p * inPlane, i, j);
                        if (argmax >= 0) dx[p * inPlane + argmax] += dy[(p * oh + i) * ow + j];
                    }
                }
            }
        });

    private static int ArgMax(in PoolGeometry g, float[] x, int plane, int i, int j)
    {
        int best = -1;
        float bestValue = float.NegativeInfinity;
        for (int ki = 0; ki < g.KernelHeight; ki++)
        {
            int r = g.TapRow(i, ki, clampToBorder: false);
            if (r < 0) continue;
            for (int kj = 0; kj < g.KernelWidth; kj++)
            {
                int c = g.TapColumn(j, kj, clampToBorder: false);
                if (c < 0) continue;
                float v = x[plane + r * g.InWidth + c];
                if (v > bestValue || float.IsNaN(v) || best < 0)
                {
                    best = r * g.InWidth + c;
                    bestValue = v;
                    if (float.IsNaN(v)) return best;
                }
            }
        }
        return best;
    }

    /// <summary>Each output's gradient, divided by its window's divisor, goes to every input in the window.</summary>
    public static Tensor RecordAverage(Tensor output, Tensor input, PoolGeometry g, bool countIncludePad) =>
        GradNode.Record(output, "AvgPool2d", [input], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            if (dx.IsEmpty) return;
            int oh = g.OutHeight, ow = g.OutWidth, inPlane = g.InHeight * g.InWidth;
            for (int p = 0; p < g.Planes; p++)
            {
                var target = dx.Slice(p * inPlane, inPlane);
                for (int i = 0; i < oh; i++)
                {
                    int h0 = i * g.StrideHeight - g.PadHeight;
                    int h1 = Math.Min(h0 + g.KernelHeight, g.InHeight + g.PadHeight);
                    int rs = Math.Max(h0, 0), re = Math.Min(h1, g.InHeight);
                    for (int j = 0; j < ow; j++)
                    {
                        int w0 = j * g.StrideWidth - g.PadWidth;
                        int w1 = Math.Min(w0 + g.KernelWidth, g.InWidth + g.PadWidth);
                        int cs = Math.Max(w0, 0), ce = Math.Min(w1, g.InWidth);
                        int divisor = countIncludePad ? (h1 - h0) * (w1 - w0) : (re - rs) * (ce - cs);
                        float share = dy[(p * oh + i) * ow + j] / divisor;
                        for (int r = rs; r < re; r++)
                        {
                            for (int c = cs; c < ce; c++) target[r * g.InWidth + c] += share;
                        }
                    }
                }
            }
        });

    /// <summary>Each output cell's gradient, divided by its bin's area, goes to every input in the bin.</summary>
    public static Tensor RecordAdaptiveAverage(Tensor output, Tensor input, int outHeight, int outWidth) =>
        GradNode.Record(output, "AdaptiveAvgPool2d", [input], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            if (dx.IsEmpty) return;
            int planes = input.Size(0) * input.Size(1), inHeight = input.Size(2), inWidth = input.Size(3), inPlane = inHeight * inWidth;
            for (int p = 0; p < planes; p++)
            {
                var target = dx.Slice(p * inPlane, inPlane);
                for (int i = 0; i < outHeight; i++)
                {
                    int r0 = i * inHeight / outHeight, r1 = ((i + 1) * inHeight + outHeight - 1) / outHeight;
                    for (int j = 0; j < outWidth; j++)
                    {
                        int c0 = j * inWidth / outWidth, c1 = ((j + 1) * inWidth + outWidth - 1) / outWidth;
                        float share = dy[(p * outHeight + i) * outWidth + j] / ((r1 - r0) * (c1 - c0));
                        for (int r = r0; r < r1; r++)
                        {
                            for (int c = c0; c < c1; c++) target[r * inWidth + c] += share;
                        }
                    }
                }
            }
        });
}
