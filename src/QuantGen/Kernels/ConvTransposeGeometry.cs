namespace QuantGen.Kernels;

/// <summary>
/// Everything about a 2-D transposed convolution's shapes, as PyTorch's <c>ConvTranspose2d</c> defines them.
/// Input [Batch, InChannels, InHeight, InWidth], weight [InChannels, OutChannels / Groups, KernelHeight, KernelWidth],
/// output [Batch, OutChannels, OutHeight, OutWidth] with
/// <c>OutHeight = (InHeight − 1)·StrideHeight − 2·PadHeight + DilationHeight·(KernelHeight − 1) + OutputPadHeight + 1</c>.
/// Input pixel (iy, ix) and tap (ky, kx) write output pixel (iy·stride − pad + ky·dilation, ix·stride − pad + kx·dilation);
/// shared by the float and the int8 kernels.
/// </summary>
public readonly record struct ConvTransposeGeometry(
    int Batch,
    int InChannels,
    int InHeight,
    int InWidth,
    int OutChannels,
    int KernelHeight,
    int KernelWidth,
    int StrideHeight = 1,
    int StrideWidth = 1,
    int PadHeight = 0,
    int PadWidth = 0,
    int OutputPadHeight = 0,
    int OutputPadWidth = 0,
    int DilationHeight = 1,
    int DilationWidth = 1,
    int Groups = 1)
{
    public int OutHeight => (InHeight - 1) * StrideHeight - 2 * PadHeight + DilationHeight * (KernelHeight - 1) + OutputPadHeight + 1;

    public int OutWidth => (InWidth - 1) * StrideWidth - 2 * PadWidth + DilationWidth * (KernelWidth - 1) + OutputPadWidth + 1;

    public int InChannelsPerGroup => InChannels / Groups;

    public int OutChannelsPerGroup => OutChannels / Groups;

    public int InputLength => Batch * InChannels * InHeight * InWidth;

    public int WeightLength => InChannels * OutChannelsPerGroup * KernelHeight * KernelWidth;

    public int OutputLength => Batch * OutChannels * OutHeight * OutWidth;

    /// <summary>The input row that tap <paramref name="ky"/> reads for output row <paramref name="oy"/>, or −1 when none does.</summary>
    public int SourceRow(int oy, int ky) => Source(oy + PadHeight - ky * DilationHeight, StrideHeight, InHeight);

    /// <summary>The input column that tap <paramref name="kx"/> reads for output column <paramref name="ox"/>, or −1.</summary>
    public int SourceColumn(int ox, int kx) => Source(ox + PadWidth - kx * DilationWidth, StrideWidth, InWidth);

    private static int Source(int offset, int stride, int size)
    {
        if (offset < 0 || offset % stride != 0) return -1;
        int index = offset / stride;
        return index < size ? index : -1;
    }

    /// <summary>Why these sizes are not a transposed convolution PyTorch accepts, or null when they are.</summary>
    public string? Problem()
    {
        if (Batch < 0 || InChannels <= 0 || InHeight <= 0 || InWidth <= 0 || OutChannels <= 0 || KernelHeight <= 0 || KernelWidth <= 0 ||
            StrideHeight <= 0 || StrideWidth <= 0 || DilationHeight <= 0 || DilationWidth <= 0 || Groups <= 0)
        {
            return "a size is not positive";
        }
        if (InChannels % Groups != 0 || OutChannels % Groups != 0) return $"groups={Groups} must divide in_channels={InChannels} and out_channels={OutChannels}";
        if (PadHeight < 0 || PadWidth < 0) return "padding must not be negative";
        if (OutputPadHeight < 0 || OutputPadWidth < 0 ||
            (OutputPadHeight >= StrideHeight && OutputPadHeight >= DilationHeight) || (OutputPadWidth >= StrideWidth && OutputPadWidth >= DilationWidth))
        {
            return "output_padding must be smaller than either stride or dilation, as PyTorch requires";
        }
        if (OutHeight <= 0 || OutWidth <= 0) return $"the output would be {OutHeight}×{OutWidth}";
        return null;
    }
}
