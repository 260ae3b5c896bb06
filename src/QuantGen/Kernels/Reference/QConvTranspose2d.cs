namespace QuantGen.Kernels.Reference;

/// <summary>
/// Quantized 2-D transposed convolution, the numerics of PyTorch 1.13's <c>quantized::conv_transpose2d</c> on the
/// qnnpack engine (<c>qnnpack::qnnpackDeConv</c>): one int32 accumulator per output, then <see cref="Requantize"/>, as
/// the convolution. qnnpack's indirection buffer points the taps that land on no input pixel at a buffer of the input
/// zero point, so they add exactly 0: only the taps that read an input pixel count.
/// </summary>
/// <remarks>PyTorch 1.13 refuses per-channel weights for a transposed convolution; a per-tensor <see cref="WeightQParams"/>
/// is the one it runs, but per-output-channel qparams are accepted here too (indexed by output channel).</remarks>
public static class QConvTranspose2d
{
    /// <summary>
    /// <paramref name="output"/> [N, Cout, OH, OW] (quint8 under <paramref name="outputQ"/>) from <paramref name="input"/>
    /// [N, Cin, H, W] (quint8 under <paramref name="inputQ"/>) and <paramref name="weight"/> [Cin, Cout/groups, kH, kW] (qint8
    /// under <paramref name="weightQ"/>), with <paramref name="bias"/> [Cout] in int32 at <c>s_in·s_w</c> (empty for none):
    /// <code>acc = bias[oc] + Σ (x[iy, ix] − z_in)·(w[ic, oc, ky, kx] − z_w)   over oy = iy·stride − pad + ky·dilation (and x alike)</code>
    /// in int32 with two's-complement wraparound.
    /// </summary>
    public static void Forward(
        in ConvTransposeGeometry g,
        ReadOnlySpan<byte> input,
        ActivationQParams inputQ,
        ReadOnlySpan<sbyte> weight,
        WeightQParams weightQ,
        ReadOnlySpan<int> bias,
        ActivationQParams outputQ,
        Span<byte> output)
    {
        const string op = "QConvTranspose2d";
        if (g.Problem() is string problem) throw new ArgumentException($"{op}: {problem}: {g}.", nameof(g));
        inputQ.Validate(nameof(inputQ));
        outputQ.Validate(nameof(outputQ));
        ArgumentNullException.ThrowIfNull(weightQ);
        weightQ.CheckChannels(g.OutChannels, op);
        ReferenceChecks.Length(input.Length, g.InputLength, nameof(input), op, $"[{g.Batch}, {g.InChannels}, {g.InHeight}, {g.InWidth}]");
        ReferenceChecks.Length(weight.Length, g.WeightLength, nameof(weight), op,
            $"[{g.InChannels}, {g.OutChannelsPerGroup}, {g.KernelHeight}, {g.KernelWidth}]");
        ReferenceChecks.Length(output.Length, g.OutputLength, nameof(output), op, $"[{g.Batch}, {g.OutChannels}, {g.OutHeight}, {g.OutWidth}]");
        if (!bias.IsEmpty) ReferenceChecks.Length(bias.Length, g.OutChannels, nameof(bias), op, $"[{g.OutChannels}]");

        OutputRange range = OutputRange.For(FusedActivation.None, outputQ);
        int inPerGroup = g.InChannelsPerGroup, outPerGroup = g.OutChannelsPerGroup, index = 0;
        for (int n = 0; n < g.Batch; n++)
        {
            for (int oc = 0; oc < g.OutChannels; oc++)
            {
                int group = oc / outPerGroup, ocg = oc % outPerGroup, weightZeroPoint = weightQ.ZeroPoint(oc);
                float multiplier = Requantize.Multiplier(inputQ.Scale, weightQ.Scale(oc), outputQ.Scale);
                for (int oy = 0; oy < g.OutHeight; oy++)
                {
                    for (int ox = 0; ox < g.OutWidth; ox++, index++)
                    {
                        int sum = bias.IsEmpty ? 0 : bias[oc];
                        for (int icg = 0; icg < inPerGroup; icg++)
                        {
                            int ic = group * inPerGroup + icg;
                            for (int ky = 0; ky < g.KernelHeight; ky++)
                            {
                                int iy = g.SourceRow(oy, ky);
                                if (iy < 0) continue;
                                for (int kx = 0; kx < g.KernelWidth; kx++)
                                {
                                    int ix = g.SourceColumn(ox, kx);
                                    if (ix < 0) continue;
                                    int x = input[((n * g.InChannels + ic) * g.InHeight + iy) * g.InWidth + ix];
                                    int w = weight[((ic * outPerGroup + ocg) * g.KernelHeight + ky) * g.KernelWidth + kx];
                                    sum = unchecked(sum + (x - inputQ.ZeroPoint) * (w - weightZeroPoint));
                                }
                            }
                        }
                        output[index] = Requantize.ToUInt8(sum, multiplier, outputQ.ZeroPoint, range);
                    }
                }
            }
        }
    }
}
