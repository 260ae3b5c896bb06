namespace QuantGen.Kernels;

/// <summary>
/// Everything about a 2-D convolution's shapes, as PyTorch's <c>Conv2d</c> defines them.
/// Input [Batch, InChannels, InHeight, InWidth], weight [OutChannels, InChannels / Groups, KernelHeight, KernelWidth],
/// output [Batch, OutChannels, OutHeight, OutWidth]. Shared by the float and the int8 kernels.
/// </summary>
public readonly record struct ConvGeometry(
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
    int DilationHeight = 1,
    int DilationWidth = 1,
    int Groups = 1)
{
    public int OutHeight => (InHeight + 2 * PadHeight - DilationHeight * (KernelHeight - 1) - 1) / StrideHeight + 1;

    public int OutWidth => (InWidth + 2 * PadWidth - DilationWidth * (KernelWidth - 1) - 1) / StrideWidth + 1;

    public int InChannelsPerGroup => InChannels / Groups;

    public int OutChannelsPerGroup => OutChannels / Groups;

    /// <summary>One input channel per group and one (or a multiple) output channel per group.</summary>
    public bool IsDepthwise => Groups == InChannels && Groups > 1 && OutChannels % Groups == 0;

    /// <summary>A 1×1, stride-1, unpadded, ungrouped convolution: a plain matrix product per image.</summary>
    public bool IsPointwise =>
        KernelHeight == 1 && KernelWidth == 1 && StrideHeight == 1 && StrideWidth == 1 &&
        PadHeight == 0 && PadWidth == 0 && Groups == 1;

    public int InputLength => Batch * InChannels * InHeight * InWidth;

    public int WeightLength => OutChannels * InChannelsPerGroup * KernelHeight * KernelWidth;

    public int OutputLength => Batch * OutChannels * OutHeight * OutWidth;

    /// <summary>Multiply-accumulates for the whole batch.</summary>
    public long MacCount => (long)Batch * OutChannels * OutHeight * OutWidth * InChannelsPerGroup * KernelHeight * KernelWidth;
}
