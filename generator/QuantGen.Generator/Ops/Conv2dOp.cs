using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

internal sealed record Conv2dArgs(int InChannels, int OutChannels, int KernelSize, int Stride, int Padding, int Dilation, int Groups);

/// <summary><c>Conv2d(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias)</c>: square kernels.</summary>
internal sealed class Conv2dOp : OpDescriptor<Conv2dArgs>
{
    public override string Kind => "Conv2d";

    public override string FuseRole => "Conv";

    public override Int8Form Int8Form => Int8Form.Kernel;

    /// <summary>Its input channels, and a 28 × 28 placeholder the shape checks then test.</summary>
    public override string? InputShapeGuess(OpArgs args) => $"{args.Int("inChannels")}, 28, 28";

    public override Conv2dArgs Read(OpArgs a) =>
        new(a.Int("inChannels"), a.Int("outChannels"), a.Int("kernelSize"), a.Int("stride"), a.Int("padding"), a.Int("dilation"), a.Int("groups"));

    protected override long[] InferShape(ShapeContext context, Conv2dArgs a)
    {
        context.RequirePositive("inChannels", "outChannels", "kernelSize", "stride", "dilation", "groups");
        if (a.InChannels % a.Groups != 0 || a.OutChannels % a.Groups != 0)
        {
            throw context.Invalid($"groups={a.Groups} must divide inChannels={a.InChannels} and outChannels={a.OutChannels}", "groups");
        }

        if (a.Padding < 0) throw context.Invalid($"padding must not be negative, got {a.Padding}", "padding");
        context.RequireChannels("inChannels", a.InChannels);
        long[] input = context.Input;
        return
        [
            a.OutChannels,
            context.Window(input[1], a.KernelSize, a.Stride, a.Padding, a.Dilation, ceil: false),
            context.Window(input[2], a.KernelSize, a.Stride, a.Padding, a.Dilation, ceil: false),
        ];
    }

    protected override Int8Lowering Lower(LoweringContext context, Conv2dArgs a)
    {
        var input = context.InputShape;
        return new Conv2dLowering(input[0], input[1], input[2], a.OutChannels, a.KernelSize, a.Stride, a.Padding, a.Dilation, a.Groups,
            context.FusedActivation, context.FusionText);
    }

    protected override FloatLowering LowerFloat(LoweringContext context, Conv2dArgs a)
    {
        var input = context.InputShape;
        return new FloatConv2dLowering(input[0], input[1], input[2], a.OutChannels, a.KernelSize, a.Stride, a.Padding, a.Dilation, a.Groups,
            context.FusedActivation, context.FusedLayer(OpRegistry.BatchNorm2d));
    }
}
