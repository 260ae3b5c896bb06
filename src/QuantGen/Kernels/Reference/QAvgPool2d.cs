namespace QuantGen.Kernels.Reference;

/// <summary>
/// Average pooling over quint8 NCHW planes, with PyTorch 1.13's numerics on the qnnpack engine. The output keeps the
/// input's qparams (PyTorch's quantized avg_pool2d does), and each output is
/// <code>y = z + round_half_even((float)acc · m)</code>  clamped to [0, 255], where <c>acc = Σ (x − z)</c> over the
/// window's input pixels (exact in int32), with <c>m</c> and the window chosen as PyTorch chooses them:
/// <list type="bullet">
/// <item>without <c>ceil_mode</c>, qnnpack's average pooling (<c>qnnpack_avg_pool2d</c>): padding holds the zero
/// point and the divisor is always kH·kW, <b>whatever <c>countIncludePad</c> says</b> (PyTorch passes it to
/// qnnpack, which ignores it), and <c>m = s / (s · kH·kW)</c> in float32 — not exactly <c>1/(kH·kW)</c>, and the
/// difference decides halfway cases;</item>
/// <item>with <c>ceil_mode</c>, ATen's generic kernel: the divisor counts the padding inside the padded input when
/// <c>countIncludePad</c>, else only input pixels (never the ceil-mode overhang), and
/// <c>m = (float)(1.0 / divisor)</c>.</item>
/// </list>
/// </summary>
/// <remarks>
/// The generic kernel has two layouts in PyTorch: channels-last (what a qnnpack convolution outputs, so what a
/// pooling after one sees) adds the zero point after rounding, as here; the contiguous NCHW loop adds it before
/// rounding in float, which breaks exact ties the other way when the zero point is odd. QuantGen follows the
/// channels-last kernel.
/// </remarks>
public static class QAvgPool2d
{
    public static void Forward(in PoolGeometry g, bool countIncludePad, ActivationQParams q, ReadOnlySpan<byte> input, Span<byte> output)
    {
        const string op = "QAvgPool2d";
        ReferenceChecks.Pool(g, op);
        if (g.DilationHeight != 1 || g.DilationWidth != 1)
        {
            throw new ArgumentException($"{op}: average pooling has no dilation: {g}.", nameof(g));
        }
        q.Validate(nameof(q));
        int outHeight = g.OutHeight, outWidth = g.OutWidth, inPlane = g.InHeight * g.InWidth;
        ReferenceChecks.Length(input.Length, (long)g.Planes * inPlane, nameof(input), op, $"[{g.Planes}, {g.InHeight}, {g.InWidth}]");
        ReferenceChecks.Length(output.Length, (long)g.Planes * outHeight * outWidth, nameof(output), op, $"[{g.Planes}, {outHeight}, {outWidth}]");

        float qnnpackMultiplier = QnnpackMultiplier(q.Scale, g.KernelHeight * g.KernelWidth);
        for (int p = 0; p < g.Planes; p++)
        {
            ReadOnlySpan<byte> plane = input.Slice(p * inPlane, inPlane);
            for (int i = 0; i < outHeight; i++)
            {
                // The window in padded coordinates, cut at the far edge of the padding (only ceil mode reaches past it).
                int h0 = i * g.StrideHeight - g.PadHeight, h1 = Math.Min(h0 + g.KernelHeight, g.InHeight + g.PadHeight);
                for (int j = 0; j < outWidth; j++)
                {
                    int w0 = j * g.StrideWidth - g.PadWidth, w1 = Math.Min(w0 + g.KernelWidth, g.InWidth + g.PadWidth);
                    var window = new PlaneWindow(Math.Max(h0, 0), Math.Min(h1, g.InHeight), Math.Max(w0, 0), Math.Min(w1, g.InWidth));
                    int accumulator = window.SumMinusZeroPoint(plane, g.InWidth, q.ZeroPoint);
                    float multiplier = g.CeilMode
                        ? (float)(1.0 / (countIncludePad ? (h1 - h0) * (w1 - w0) : window.Count))
                        : qnnpackMultiplier;
                    output[(p * outHeight + i) * outWidth + j] = Requantize.ToUInt8(accumulator, multiplier, q.ZeroPoint, OutputRange.Full);
                }
            }
        }
    }

    /// <summary>qnnpack's <c>input_scale / (output_scale · pooling_size)</c>, in float32, with equal input and output scales.</summary>
    internal static float QnnpackMultiplier(float scale, int poolingSize) => scale / (scale * poolingSize);
}
