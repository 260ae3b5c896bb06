using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

internal sealed record LinearArgs(int InFeatures, int OutFeatures);

/// <summary><c>Linear(inFeatures, outFeatures, bias)</c> over the last dimension.</summary>
internal sealed class LinearOp : OpDescriptor<LinearArgs>
{
    public override string Kind => "Linear";

    public override string FuseRole => "Linear";

    public override Int8Form Int8Form => Int8Form.Kernel;

    public override bool HasDynamicForm => true;

    public override string? InputShapeGuess(OpArgs args) => args.Int("inFeatures").ToString();

    public override LinearArgs Read(OpArgs args) => new(args.Int("inFeatures"), args.Int("outFeatures"));

    protected override long[] InferShape(ShapeContext context, LinearArgs a)
    {
        context.RequirePositive("inFeatures", "outFeatures");
        long[] output = LastDimension.Require(context, "inFeatures", $"{a.InFeatures} input features");
        output[output.Length - 1] = a.OutFeatures;
        return output;
    }

    /// <summary>
    /// Over samples of several rows ([*, F]) every row is one of the GEMM's; samples stored channels-last (several
    /// channels of several values, as a convolution writes them) are reordered to rows around it.
    /// </summary>
    protected override Int8Lowering Lower(LoweringContext context, LinearArgs a)
    {
        var input = context.InputShape;
        int rows = 1;
        for (int d = 0; d < input.Count - 1; d++) rows *= input[d];
        (int channels, int pixels) = Int8Planner.ChannelsAndPixels(input);
        return new LinearLowering(a.InFeatures, a.OutFeatures, context.FusedActivation, context.FusionText, rows,
            input.Count > 1 && channels > 1 && pixels > 1 ? channels : 1);
    }

    protected override FloatLowering LowerFloat(LoweringContext context, LinearArgs a) =>
        new FloatLinearLowering(a.InFeatures, a.OutFeatures, context.FusedActivation, context.FusedLayer(OpRegistry.BatchNorm1d));

    /// <summary>
    /// Each sample's rows (all but the last dimension) are quantized together, as eager dynamic quantizes a batch of one;
    /// a BatchNorm1d <c>[Fuse]</c> names is folded into the weights before they are quantized.
    /// </summary>
    protected override FloatLowering LowerDynamic(LoweringContext context, LinearArgs a) =>
        new DynamicLinearLowering(a.InFeatures, a.OutFeatures, Int8Planner.Length(context.InputShape) / a.InFeatures, context.FusedActivation,
            context.FusedLayer(OpRegistry.BatchNorm1d));
}
