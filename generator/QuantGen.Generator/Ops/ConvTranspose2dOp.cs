using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

internal sealed record ConvTranspose2dArgs(
    int InChannels, int OutChannels, int KernelSize, int Stride, int Padding, int OutputPadding, int Groups, int Dilation);

/// <summary>
/// <c>ConvTranspose2d(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias, dilation)</c>:
/// square kernels; int8 weights per tensor, as PyTorch 1.13 runs it.
/// </summary>
internal sealed class ConvTranspose2dOp : OpDescriptor<ConvTranspose2dArgs>
{
    public override string Kind => "ConvTranspose2d";

    public override string FuseRole => "ConvTranspose";

    public override Int8Form Int8Form => Int8Form.Kernel;

    public override string? InputShapeGuess(OpArgs args) => $"{args.Int("inChannels")}, 14, 14";

    public override ConvTranspose2dArgs Read(OpArgs a) => new(
        a.Int("inChannels"), a.Int("outChannels"), a.Int("kernelSize"), a.IntOr("stride", 1), a.Int("padding"), a.Int("outputPadding"),
        a.IntOr("groups", 1), a.IntOr("dilation", 1));

    protected override long[] InferShape(ShapeContext context, ConvTranspose2dArgs a)
    {
        context.RequirePositive("inChannels", "outChannels", "kernelSize", "stride", "groups", "dilation");
        if (a.InChannels % a.Groups != 0 || a.OutChannels % a.Groups != 0)
        {
            throw context.Invalid($"groups={a.Groups} must divide inChannels={a.InChannels} and outChannels={a.OutChannels}", "groups");
        }

        if (a.Padding < 0) throw context.Invalid($"padding must not be negative, got {a.Padding}", "padding");
        if (a.OutputPadding < 0 || (a.OutputPadding >= a.Stride && a.OutputPadding >= a.Dilation))
        {
            throw context.Invalid($"outputPadding must be smaller than either stride or dilation, as PyTorch requires, got {a.OutputPadding}", "outputPadding");
        }

        context.RequireChannels("inChannels", a.InChannels);
        long[] input = context.Input;
        long Size(long size) => (size - 1) * a.Stride - 2 * a.Padding + a.Dilation * (a.KernelSize - 1) + a.OutputPadding + 1;
        long height = Size(input[1]), width = Size(input[2]);
        if (height <= 0 || width <= 0) throw context.Mismatch($"an input large enough for an output of at least 1 × 1 (padding {a.Padding})", $"{input[1]} × {input[2]}");
        return [a.OutChannels, height, width];
    }

    protected override Int8Lowering Lower(LoweringContext context, ConvTranspose2dArgs a)
    {
        var input = context.InputShape;
        return new ConvTranspose2dLowering(input[0], input[1], input[2], a, context.FusionText);
    }

    protected override FloatLowering LowerFloat(LoweringContext context, ConvTranspose2dArgs a)
    {
        var input = context.InputShape;
        return new FloatConvTranspose2dLowering(input[0], input[1], input[2], a, context.FusedLayer(OpRegistry.BatchNorm2d));
    }
}
