using QuantGen.Kernels;

namespace QuantGen.Nn;

/// <summary>
/// 1-D convolution over [N, C, L] input, with PyTorch's arguments and state dict names (<c>weight</c>
/// [out, in / groups, k], <c>bias</c> [out]). It is the 2-D convolution of a 1 × k kernel over the input seen as
/// [N, C, 1, L], as PyTorch's quantized <c>Conv1d</c> runs it: the float, int8 and compiled paths, fusion with a
/// BatchNorm1d and quantization-aware training are the <see cref="Conv2d"/> ones, so <see cref="Conv2d.KernelSize"/>,
/// <see cref="Conv2d.Stride"/>, <see cref="Conv2d.Padding"/> and <see cref="Conv2d.Dilation"/> read (1, k), (1, s),
/// (0, p) and (1, d). Only zero padding exists, as in PyTorch's quantized Conv1d's default.
/// </summary>
public sealed class Conv1d : Conv2d
{
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true)
        : base(inChannels, outChannels, (1, kernelSize), (1, stride), (0, padding), (1, dilation), groups, bias, oneDimensional: true)
    {
    }

    public override ConvGeometry GeometryFor(Tensor input)
    {
        if (input.Rank != 3 || input.Size(1) != InChannels)
        {
            throw InputShapeError($"[N, {InChannels}, L]", input);
        }
        var geometry = new ConvGeometry(
            input.Size(0), InChannels, 1, input.Size(2), OutChannels, 1, KernelSize.Width,
            1, Stride.Width, 0, Padding.Width, 1, Dilation.Width, Groups);
        if (geometry.OutWidth <= 0)
        {
            throw InputShapeError($"[N, {InChannels}, L] with L + 2·{Padding.Width} ≥ {Dilation.Width * (KernelSize.Width - 1) + 1}", input);
        }
        return geometry;
    }

    internal override Shape OutputShape(in ConvGeometry geometry) => new(geometry.Batch, geometry.OutChannels, geometry.OutWidth);

    protected override string ExtraRepr()
    {
        var text = $"{InChannels}, {OutChannels}, kernel_size=({KernelSize.Width},), stride=({Stride.Width},)";
        if (Padding.Width != 0) text += $", padding=({Padding.Width},)";
        if (Dilation.Width != 1) text += $", dilation=({Dilation.Width},)";
        if (Groups != 1) text += $", groups={Groups}";
        if (Bias is null) text += ", bias=False";
        return text + Activation.Repr();
    }
}
