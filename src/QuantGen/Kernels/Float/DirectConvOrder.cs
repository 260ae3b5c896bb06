namespace QuantGen.Kernels.Float;

/// <summary>
/// The summation order of PyTorch 1.13's float <c>Conv2d</c> on the CPU (Debian's build, oneDNN 2.6 on an AVX-512
/// CPU) for a convolution that is not depthwise: oneDNN's direct kernel (<c>jit:avx512_core</c>) or 1×1 kernel.
/// Input channels go in blocks of 16. A block's sum starts at 0 and takes the taps in (ky, kx) order, each over the
/// block's channels in order, by fused multiply-adds; the bias is added to the first block's sum, and each later
/// block's sum, again from 0, is added to the result so far. oneDNN's 1×1 kernel reduces in blocks of 256 channels,
/// the first starting from the bias, each in channel order; its depthwise kernel starts from the bias and takes the
/// taps in order (the depthwise kernels' own order).
/// </summary>
/// <remarks>
/// <para>Same bits, same observers: a Histogram observer's range search is discontinuous in the last bit of what it
/// sees, so calibrating on sums taken in another order picks other qparams than PyTorch for some layers.</para>
/// <para>PyTorch runs oneDNN for float32 when <c>(stride or dilation ≠ 1, batch ≥ 16, a kernel other than 1×1, or
/// threads > 1) and (groups > 1, batch > 1, a kernel over 3×3, or an input over 20,480 values)</c>: every convolution
/// of a calibration batch. Outside that (one small image through a 3×3 convolution) it runs its own im2col and BLAS,
/// another order. The order is AVX-512 oneDNN's: capped at AVX2 (an AVX2-only CPU) oneDNN blocks channels by 8, and
/// PyTorch's own sums, and Histogram qparams, differ (tests/QuantGen.Generator.Tests/Zoo/histogram_backends.txt).</para>
/// </remarks>
internal static unsafe class DirectConvOrder
{
    /// <summary>A 1×1 kernel (strided, padded or grouped too) is oneDNN's 1×1 kernel's: blocks of 256 channels, the first from the bias.</summary>
    public static bool StartsFromBias(in ConvGeometry g) => g.KernelHeight * g.KernelWidth == 1;

    /// <summary>Input channels per block: 16 for the direct kernel, 256 for the 1×1 kernel's reduction.</summary>
    public static int BlockChannels(in ConvGeometry g) => StartsFromBias(g) ? 256 : 16;

    public static int Blocks(in ConvGeometry g) => (g.InChannelsPerGroup + BlockChannels(g) - 1) / BlockChannels(g);

    public static int FirstChannel(in ConvGeometry g, int block) => block * BlockChannels(g);

    public static int Channels(in ConvGeometry g, int block) => Math.Min(BlockChannels(g), g.InChannelsPerGroup - FirstChannel(g, block));

    /// <summary>Where a block's rows start in a group's k (its packed panels start at that times the padded row count).</summary>
    public static int FirstRow(in ConvGeometry g, int block) => FirstChannel(g, block) * g.KernelHeight * g.KernelWidth;

    /// <summary>
    /// Packs one group's weight rows (<paramref name="weight"/>: [OutChannelsPerGroup, InChannelsPerGroup·kH·kW] in
    /// PyTorch's (c, ky, kx) order) as each block's row panels, one after another, each with k in (ky, kx, c) order:
    /// the order <see cref="Im2ColColumns"/> builds a block's columns in. A 1×1 kernel's as plain row panels.
    /// </summary>
    public static void PackGroup(in ConvGeometry g, float* weight, float* destination)
    {
        int rows = g.OutChannelsPerGroup, taps = g.KernelHeight * g.KernelWidth, k = g.InChannelsPerGroup * taps;
        if (StartsFromBias(g))
        {
            // A 1×1 kernel's order within a block is the channels': its blocks are runs of k in plain row panels
            // (KBlocks), each panel one piece in memory.
            Panels.PackRows(weight, k, rows, k, destination);
            return;
        }
        for (int block = 0; block < Blocks(g); block++)
        {
            int first = FirstChannel(g, block), channels = Channels(g, block), blockK = channels * taps;
            float* panels = destination + (long)Panels.Padded(rows) * FirstRow(g, block);
            for (int panel = 0; panel < Panels.Count(rows); panel++)
            {
                float* target = panels + (long)panel * blockK * Panels.Width;
                for (int r = 0; r < Panels.Width; r++)
                {
                    int row = panel * Panels.Width + r;
                    float* source = weight + (long)row * k;
                    int p = 0;
                    for (int tap = 0; tap < taps; tap++)
                    {
                        for (int c = 0; c < channels; c++, p++)
                        {
                            target[p * Panels.Width + r] = row < rows ? source[(first + c) * taps + tap] : 0f;
                        }
                    }
                }
            }
        }
    }
}
