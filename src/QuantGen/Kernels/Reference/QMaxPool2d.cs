namespace QuantGen.Kernels.Reference;

/// <summary>
/// Max pooling over quint8 NCHW planes: the largest byte in each window. The output keeps the input's qparams
/// (max commutes with the monotone dequantization), so none are needed.
/// </summary>
/// <remarks>
/// Padding never supplies a value. Where a window overhangs the input, PyTorch 1.13 (qnnpack engine) does one of
/// two things, and this kernel does the same:
/// <list type="bullet">
/// <item>without <c>ceil_mode</c> it runs qnnpack's max pooling, whose indirection buffer clamps each overhanging
/// tap to the nearest border pixel (<c>pytorch_qnnp_indirection_init_maxpool2d</c>). Without dilation the border pixel
/// is in the window anyway, so that is plain max pooling; with dilation and padding the clamped pixel can lie between
/// the window's taps and win, which differs from float max pooling;</item>
/// <item>with <c>ceil_mode</c> it runs ATen's generic kernel, which skips overhanging taps.</item>
/// </list>
/// </remarks>
public static class QMaxPool2d
{
    public static void Forward(in PoolGeometry g, ReadOnlySpan<byte> input, Span<byte> output)
    {
        const string op = "QMaxPool2d";
        ReferenceChecks.Pool(g, op);
        int outHeight = g.OutHeight, outWidth = g.OutWidth, inPlane = g.InHeight * g.InWidth;
        ReferenceChecks.Length(input.Length, (long)g.Planes * inPlane, nameof(input), op, $"[{g.Planes}, {g.InHeight}, {g.InWidth}]");
        ReferenceChecks.Length(output.Length, (long)g.Planes * outHeight * outWidth, nameof(output), op, $"[{g.Planes}, {outHeight}, {outWidth}]");

        bool clampToBorder = !g.CeilMode;
        for (int p = 0; p < g.Planes; p++)
        {
            ReadOnlySpan<byte> plane = input.Slice(p * inPlane, inPlane);
            for (int i = 0; i < outHeight; i++)
            {
                for (int j = 0; j < outWidth; j++)
                {
                    int best = -1;
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        int r = g.TapRow(i, ky, clampToBorder);
                        if (r < 0) continue;
                        for (int kx = 0; kx < g.KernelWidth; kx++)
                        {
                            int c = g.TapColumn(j, kx, clampToBorder);
                            if (c < 0) continue;
                            best = Math.Max(best, plane[r * g.InWidth + c]);
                        }
                    }
                    output[(p * outHeight + i) * outWidth + j] = (byte)best;
                }
            }
        }
    }
}
