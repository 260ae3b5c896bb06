using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

internal sealed record ConvArgs(int InChannels, int OutChannels, int KernelSize, int Stride, int Padding, int Dilation, int Groups);

/// <summary>
/// <c>Conv2d(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias)</c> with square kernels over
/// [channels, height, width], and <c>Conv1d</c> with the same arguments over [channels, length] — which runs as the
/// 2-D int8 convolution of a 1 × k kernel over one row, as PyTorch's quantized Conv1d does.
/// </summary>
internal sealed class ConvOp(int dimensions) : OpDescriptor<ConvArgs>
{
    public override string Kind => dimensions == 1 ? "Conv1d" : "Conv2d";

    public override string FuseRole => "Conv";

    public override Int8Form Int8Form => Int8Form.Kernel;

    /// <summary>Its input channels, and a length or a 28 × 28 placeholder the shape checks then test.</summary>
    public override string? InputShapeGuess(OpArgs args) => dimensions == 1 ? $"{args.Int("inChannels")}, 28" : $"{args.Int("inChannels")}, 28, 28";

    public override ConvArgs Read(OpArgs a) =>
        new(a.Int("inChannels"), a.Int("outChannels"), a.Int("kernelSize"), a.Int("stride"), a.Int("padding"), a.Int("dilation"), a.Int("groups"));

    protected override long[] InferShape(ShapeContext context, ConvArgs a)
    {
        context.RequirePositive("inChannels", "outChannels", "kernelSize", "stride", "dilation", "groups");
        if (a.InChannels % a.Groups != 0 || a.OutChannels % a.Groups != 0)
        {
            throw context.Invalid($"groups={a.Groups} must divide inChannels={a.InChannels} and outChannels={a.OutChannels}", "groups");
        }

        if (a.Padding < 0) throw context.Invalid($"padding must not be negative, got {a.Padding}", "padding");
        context.RequireChannels("inChannels", a.InChannels, rank: dimensions + 1);
        long[] input = context.Input;
        long Along(int axis) => context.Window(input[axis], a.KernelSize, a.Stride, a.Padding, a.Dilation, ceil: false);
        return dimensions == 1 ? [a.OutChannels, Along(1)] : [a.OutChannels, Along(1), Along(2)];
    }

    protected override Int8Lowering Lower(LoweringContext context, ConvArgs a)
    {
        var input = context.InputShape;
        return dimensions == 1
            ? new Conv2dLowering(input[0], 1, input[1], a.OutChannels, Row(a), a.Groups,
                context.FusedActivation, context.FusionText)
            : new Conv2dLowering(input[0], input[1], input[2], a.OutChannels, Square(a), a.Groups, context.FusedActivation, context.FusionText);
    }

    /// <summary>Conv2d only for now: a class with a Conv1d gets no float pass (QG0014).</summary>
    protected override FloatLowering? LowerFloat(LoweringContext context, ConvArgs a)
    {
        var input = context.InputShape;
        return dimensions == 1
            ? new FloatConv2dLowering(input[0], 1, input[1], a.OutChannels, Row(a), a.Groups,
                context.FusedActivation, context.FusedLayer(OpRegistry.BatchNorm1d)) { BatchNormKind = OpRegistry.BatchNorm1d.Kind }
            : new FloatConv2dLowering(input[0], input[1], input[2], a.OutChannels, Square(a), a.Groups,
                context.FusedActivation, context.FusedLayer(OpRegistry.BatchNorm2d));
    }

    /// <summary>A Conv1d's window: 1 × k over one row.</summary>
    private static ConvWindow Row(ConvArgs a) => new(1, a.KernelSize, 1, a.Stride, 0, a.Padding, 1, a.Dilation);

    private static ConvWindow Square(ConvArgs a) =>
        new(a.KernelSize, a.KernelSize, a.Stride, a.Stride, a.Padding, a.Padding, a.Dilation, a.Dilation);
}
