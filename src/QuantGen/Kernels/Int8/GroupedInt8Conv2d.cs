using QuantGen.Kernels.Float;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// A grouped convolution that <see cref="Int8Conv2d"/> does not run as one — groups of several channels (a grouped
/// Conv1d or Conv2d), depthwise with several outputs per channel, or a depthwise window past its taps — as one
/// <see cref="Int8Conv2d"/> per group: each group's input channels are gathered out of the NHWC samples, convolved,
/// and its output channels put back in place. A group is an ungrouped convolution with its own slice of the weights,
/// bias and per-channel qparams, so the result equals <see cref="QConv2d"/> bit for bit on every path the groups take.
/// </summary>
/// <remarks>One instance runs one call at a time (the gathered channels are its scratch); <see cref="Fork"/> makes another.</remarks>
public sealed class GroupedInt8Conv2d
{
    private readonly Int8Conv2d[] groups;
    private readonly byte[] groupInput, groupOutput;

    /// <summary>
    /// The arguments of <see cref="Int8Conv2d"/>'s constructor, for a geometry with <see cref="ConvGeometry.Groups"/>
    /// above 1: weight [OutChannels, InChannels / Groups, kH, kW] in PyTorch's layout, bias in int32 at s_in·s_w[c].
    /// </summary>
    public GroupedInt8Conv2d(
        in ConvGeometry geometry, ReadOnlySpan<sbyte> weight, WeightQParams weightQ, ReadOnlySpan<int> bias,
        ActivationQParams inputQ, ActivationQParams outputQ, FusedActivation activation = FusedActivation.None)
    {
        ConvChecks.Geometry(geometry);
        ConvGeometry g = geometry;
        Geometry = g;
        var one = g with { InChannels = g.InChannelsPerGroup, OutChannels = g.OutChannelsPerGroup, Groups = 1 };
        int outputs = g.OutChannelsPerGroup, weights = one.WeightLength;
        groups = new Int8Conv2d[g.Groups];
        for (int group = 0; group < g.Groups; group++)
        {
            int first = group * outputs;
            groups[group] = new Int8Conv2d(one, weight.Slice(group * weights, weights), Slice(weightQ, first, outputs),
                bias.IsEmpty ? default : bias.Slice(first, outputs), inputQ, outputQ, activation);
        }
        groupInput = new byte[one.InputLength];
        groupOutput = new byte[one.OutputLength];
    }

    private GroupedInt8Conv2d(GroupedInt8Conv2d source)
    {
        Geometry = source.Geometry;
        groups = Array.ConvertAll(source.groups, group => group.Fork());
        groupInput = new byte[source.groupInput.Length];
        groupOutput = new byte[source.groupOutput.Length];
    }

    public ConvGeometry Geometry { get; }

    /// <summary>How each group is computed.</summary>
    public Int8ConvAlgorithm Algorithm => groups[0].Algorithm;

    /// <summary>True when <see cref="Int8Conv2d"/> cannot run <paramref name="geometry"/> as one convolution.</summary>
    public static bool IsNeeded(in ConvGeometry geometry) =>
        geometry.Groups > 1 &&
        !(geometry.IsDepthwise && geometry.OutChannels == geometry.InChannels && geometry.KernelHeight * geometry.KernelWidth <= QDepthwise.MaxTaps);

    /// <summary>The same packed weights with scratch of its own, for another thread.</summary>
    public GroupedInt8Conv2d Fork() => new(this);

    /// <summary>The first <paramref name="batch"/> samples, NHWC in and out, as <see cref="Int8Conv2d.Forward(ReadOnlySpan{byte}, Span{byte}, int)"/>.</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, int batch)
    {
        ConvGeometry g = Geometry;
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, g.Batch);
        int inPixels = batch * g.InHeight * g.InWidth, outPixels = batch * g.OutHeight * g.OutWidth;
        ReferenceChecks.Length(input.Length, (long)inPixels * g.InChannels, nameof(input), "GroupedInt8Conv2d", $"[{batch}, {g.InHeight}, {g.InWidth}, {g.InChannels}] (NHWC)");
        ReferenceChecks.Length(output.Length, (long)outPixels * g.OutChannels, nameof(output), "GroupedInt8Conv2d", $"[{batch}, {g.OutHeight}, {g.OutWidth}, {g.OutChannels}] (NHWC)");
        int inGroup = g.InChannelsPerGroup, outGroup = g.OutChannelsPerGroup;
        Span<byte> x = groupInput.AsSpan(0, inPixels * inGroup), y = groupOutput.AsSpan(0, outPixels * outGroup);
        for (int group = 0; group < groups.Length; group++)
        {
            for (int p = 0; p < inPixels; p++) input.Slice(p * g.InChannels + group * inGroup, inGroup).CopyTo(x.Slice(p * inGroup, inGroup));
            groups[group].Forward(x, y, batch);
            for (int p = 0; p < outPixels; p++) y.Slice(p * outGroup, outGroup).CopyTo(output.Slice(p * g.OutChannels + group * outGroup, outGroup));
        }
    }

    private static WeightQParams Slice(WeightQParams qparams, int first, int count)
    {
        if (!qparams.IsPerChannel) return qparams;
        var scales = new float[count];
        var zeroPoints = new int[count];
        for (int c = 0; c < count; c++) (scales[c], zeroPoints[c]) = (qparams.Scale(first + c), qparams.ZeroPoint(first + c));
        return WeightQParams.PerChannel(scales, zeroPoints);
    }
}
