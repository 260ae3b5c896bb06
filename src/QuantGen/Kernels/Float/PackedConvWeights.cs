namespace QuantGen.Kernels.Float;

/// <summary>
/// A Conv2d weight rearranged once for <see cref="FloatConv2d"/>, so that a module running the same layer many
/// times does not repack it per call. Build it when the weight is loaded (and again whenever the weight
/// changes, e.g. after an optimizer step or BN folding); it is immutable and may be shared across threads.
/// The layout is the same on every <see cref="FloatKernelPath"/>.
/// </summary>
/// <remarks>
/// GEMM convolutions (pointwise and im2col) keep, per group, the weight as 16-row panels stored k-major:
/// the operand both the tiled and the narrow GEMM read, per block of input channels with k in PyTorch's summation
/// order (<see cref="DirectConvOrder.PackGroup"/>; a 1×1 kernel's k is the channels in order, its blocks runs of it
/// in each panel, <see cref="KBlocks"/>). Depthwise convolutions keep PyTorch's order for the
/// per-plane kernel and a tap-major copy for the across-channels kernel.
/// </remarks>
public sealed unsafe class PackedConvWeights
{
    private readonly float[] storage; // pinned, so the aligned start below stays valid
    private readonly int start;

    private PackedConvWeights(in ConvGeometry g, long floats)
    {
        OutChannels = g.OutChannels;
        InChannels = g.InChannels;
        KernelHeight = g.KernelHeight;
        KernelWidth = g.KernelWidth;
        Groups = g.Groups;
        IsDepthwise = g.IsDepthwise;
        storage = GC.AllocateArray<float>(checked((int)floats + 16), pinned: true);
        fixed (float* data = storage)
        {
            start = (int)((64 - (nint)data % 64) % 64 / sizeof(float));
        }
    }

    public int OutChannels { get; }

    public int InChannels { get; }

    public int KernelHeight { get; }

    public int KernelWidth { get; }

    public int Groups { get; }

    public bool IsDepthwise { get; }

    /// <summary>Rearranges <paramref name="weight"/> ([OutChannels, InChannels / Groups, kH, kW]) for <paramref name="geometry"/>.</summary>
    public static PackedConvWeights Pack(in ConvGeometry geometry, ReadOnlySpan<float> weight)
    {
        ConvChecks.Geometry(geometry);
        ConvChecks.Length(weight, geometry.WeightLength, "weight", geometry);
        fixed (float* source = weight)
        {
            if (geometry.IsDepthwise)
            {
                int taps = geometry.KernelHeight * geometry.KernelWidth;
                var packed = new PackedConvWeights(geometry, (long)taps * (DepthwiseChannels.PaddedChannels(geometry) + geometry.OutChannels));
                weight.CopyTo(new Span<float>(packed.PytorchOrder, weight.Length));
                DepthwiseChannels.TransposeWeights(geometry, source, packed.TapMajor);
                return packed;
            }
            var panels = new PackedConvWeights(geometry, (long)geometry.Groups * GroupFloats(geometry));
            int k = GroupColumns(geometry), rows = geometry.OutChannelsPerGroup;
            for (int group = 0; group < geometry.Groups; group++)
            {
                DirectConvOrder.PackGroup(geometry, source + (long)group * rows * k, panels.GroupPanels(geometry, group));
            }
            return panels;
        }
    }

    /// <summary>True when this weight serves <paramref name="geometry"/> (channels, kernel and groups agree).</summary>
    public bool Fits(in ConvGeometry geometry) =>
        geometry.OutChannels == OutChannels && geometry.InChannels == InChannels && geometry.Groups == Groups &&
        geometry.KernelHeight == KernelHeight && geometry.KernelWidth == KernelWidth;

    private float* Data
    {
        get
        {
            fixed (float* data = storage) return data + start;
        }
    }

    /// <summary>Depthwise: [tap][channel padded to 16].</summary>
    internal float* TapMajor => Data;

    /// <summary>Depthwise: PyTorch's [channel][tap].</summary>
    internal float* PytorchOrder => Data + (long)KernelHeight * KernelWidth * Panels.Padded(OutChannels);

    /// <summary>GEMM: the row panels of one group's [OutChannels / Groups, k] weight.</summary>
    internal float* GroupPanels(in ConvGeometry g, int group) => Data + group * GroupFloats(g);

    internal static int GroupColumns(in ConvGeometry g) => g.InChannelsPerGroup * g.KernelHeight * g.KernelWidth;

    internal static long GroupFloats(in ConvGeometry g) => (long)Panels.Padded(g.OutChannelsPerGroup) * GroupColumns(g);
}
