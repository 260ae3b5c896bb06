using QuantGen.Kernels.Float;

namespace QuantGen.Kernels.Reference;

/// <summary>
/// Quantized 2-D convolution, the numerics of PyTorch 1.13's <c>quantized::conv2d</c> (and <c>conv2d_relu</c>) on the
/// qnnpack engine, for every kernel qnnpack picks (general, 1×1 GEMM, depthwise 3×3/5×5): one int32 accumulator per
/// output, then <see cref="Requantize"/>.
/// </summary>
public static class QConv2d
{
    /// <summary>
    /// <paramref name="output"/> [N, Cout, OH, OW] (quint8 under <paramref name="outputQ"/>) from <paramref name="input"/>
    /// [N, Cin, H, W] (quint8 under <paramref name="inputQ"/>) and <paramref name="weight"/> [Cout, Cin/groups, kH, kW]
    /// (qint8 under <paramref name="weightQ"/>), with <paramref name="bias"/> [Cout] in int32 at scale
    /// <c>s_in·s_w[c]</c> (<see cref="Quantize.Bias"/>; empty for none):
    /// <code>acc = bias[c] + Σ (x − z_in)·(w − z_w[c])</code>
    /// summed in int32 with two's-complement wraparound (as qnnpack; the sum is then independent of order). Padding
    /// holds the input zero point, as qnnpack's zero buffer does, so padded taps add exactly 0.
    /// </summary>
    public static void Forward(
        in ConvGeometry g,
        ReadOnlySpan<byte> input,
        ActivationQParams inputQ,
        ReadOnlySpan<sbyte> weight,
        WeightQParams weightQ,
        ReadOnlySpan<int> bias,
        ActivationQParams outputQ,
        FusedActivation activation,
        Span<byte> output)
    {
        const string op = "QConv2d";
        ConvChecks.Geometry(g);
        inputQ.Validate(nameof(inputQ));
        outputQ.Validate(nameof(outputQ));
        ArgumentNullException.ThrowIfNull(weightQ);
        weightQ.CheckChannels(g.OutChannels, op);
        ReferenceChecks.Length(input.Length, g.InputLength, nameof(input), op, $"[{g.Batch}, {g.InChannels}, {g.InHeight}, {g.InWidth}]");
        ReferenceChecks.Length(weight.Length, g.WeightLength, nameof(weight), op,
            $"[{g.OutChannels}, {g.InChannelsPerGroup}, {g.KernelHeight}, {g.KernelWidth}]");
        ReferenceChecks.Length(output.Length, g.OutputLength, nameof(output), op, $"[{g.Batch}, {g.OutChannels}, {g.OutHeight}, {g.OutWidth}]");
        if (!bias.IsEmpty) ReferenceChecks.Length(bias.Length, g.OutChannels, nameof(bias), op, $"[{g.OutChannels}]");

        OutputRange range = OutputRange.For(activation, outputQ);
        if (g.IsPointwise)
        {
            Pointwise(g, input, inputQ, weight, weightQ, bias, outputQ, range, output);
            return;
        }
        int outHeight = g.OutHeight, outWidth = g.OutWidth, index = 0;
        for (int n = 0; n < g.Batch; n++)
        {
            for (int oc = 0; oc < g.OutChannels; oc++)
            {
                float multiplier = Requantize.Multiplier(inputQ.Scale, weightQ.Scale(oc), outputQ.Scale);
                for (int oy = 0; oy < outHeight; oy++)
                {
                    for (int ox = 0; ox < outWidth; ox++, index++)
                    {
                        int accumulator = Accumulate(g, input, inputQ.ZeroPoint, weight, weightQ.ZeroPoint(oc), n, oc, oy, ox);
                        if (!bias.IsEmpty) accumulator = unchecked(accumulator + bias[oc]);
                        output[index] = Requantize.ToUInt8(accumulator, multiplier, outputQ.ZeroPoint, range);
                    }
                }
            }
        }
    }

    /// <summary>
    /// 1×1 convolutions (most of MobileNetV2's MACs) accumulate an output row at a time, one input row per
    /// weight. Int32 addition with wraparound is exact in any order, so these are the same sums, and the same
    /// bytes, as the general loop above.
    /// </summary>
    private static void Pointwise(
        in ConvGeometry g, ReadOnlySpan<byte> input, ActivationQParams inputQ, ReadOnlySpan<sbyte> weight, WeightQParams weightQ,
        ReadOnlySpan<int> bias, ActivationQParams outputQ, OutputRange range, Span<byte> output)
    {
        // Rows of at most 1024 pixels on the stack: the sums are per pixel, so chunking changes nothing, and no
        // call allocates.
        const int Chunk = 1024;
        int pixels = g.InHeight * g.InWidth;
        Span<int> buffer = stackalloc int[Math.Min(pixels, Chunk)];
        for (int n = 0; n < g.Batch; n++)
        {
            for (int oc = 0; oc < g.OutChannels; oc++)
            {
                int weightZeroPoint = weightQ.ZeroPoint(oc);
                float multiplier = Requantize.Multiplier(inputQ.Scale, weightQ.Scale(oc), outputQ.Scale);
                for (int start = 0; start < pixels; start += Chunk)
                {
                    int count = Math.Min(Chunk, pixels - start);
                    Span<int> row = buffer.Slice(0, count);
                    row.Fill(bias.IsEmpty ? 0 : bias[oc]);
                    for (int ic = 0; ic < g.InChannels; ic++)
                    {
                        int w = weight[oc * g.InChannels + ic] - weightZeroPoint;
                        var x = input.Slice((n * g.InChannels + ic) * pixels + start, count);
                        for (int p = 0; p < count; p++) row[p] = unchecked(row[p] + (x[p] - inputQ.ZeroPoint) * w);
                    }
                    var y = output.Slice((n * g.OutChannels + oc) * pixels + start, count);
                    for (int p = 0; p < count; p++) y[p] = Requantize.ToUInt8(row[p], multiplier, outputQ.ZeroPoint, range);
                }
            }
        }
    }

    private static int Accumulate(
        in ConvGeometry g, ReadOnlySpan<byte> input, int inputZeroPoint, ReadOnlySpan<sbyte> weight, int weightZeroPoint,
        int n, int oc, int oy, int ox)
    {
        int perGroupIn = g.InChannelsPerGroup, group = oc / g.OutChannelsPerGroup, sum = 0;
        for (int icg = 0; icg < perGroupIn; icg++)
        {
            int ic = group * perGroupIn + icg;
            for (int ky = 0; ky < g.KernelHeight; ky++)
            {
                int iy = oy * g.StrideHeight - g.PadHeight + ky * g.DilationHeight;
                if ((uint)iy >= (uint)g.InHeight) continue;
                for (int kx = 0; kx < g.KernelWidth; kx++)
                {
                    int ix = ox * g.StrideWidth - g.PadWidth + kx * g.DilationWidth;
                    if ((uint)ix >= (uint)g.InWidth) continue;
                    int x = input[((n * g.InChannels + ic) * g.InHeight + iy) * g.InWidth + ix];
                    int w = weight[((oc * perGroupIn + icg) * g.KernelHeight + ky) * g.KernelWidth + kx];
                    sum = unchecked(sum + (x - inputZeroPoint) * (w - weightZeroPoint));
                }
            }
        }
        return sum;
    }
}
