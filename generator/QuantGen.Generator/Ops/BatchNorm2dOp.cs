using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// <c>BatchNorm2d(numFeatures)</c>: folded into the convolution before it by a <c>[Fuse("Conv", "BN", …)]</c>;
/// alone it has no int8 form here, and runs with its running statistics in float.
/// </summary>
internal sealed class BatchNorm2dOp : OpDescriptor<int>
{
    public override string Kind => "BatchNorm2d";

    public override string FuseRole => "BN";

    public override string FusionEffect => "BatchNorm folded into the weights and bias";

    public override Int8Form Int8Form => Int8Form.None;

    public override int Read(OpArgs args) => args.Int("numFeatures");

    protected override long[] InferShape(ShapeContext context, int numFeatures)
    {
        context.RequirePositive("numFeatures");
        context.RequireChannels("numFeatures", numFeatures);
        return context.Input;
    }

    protected override Int8Lowering Lower(LoweringContext context, int numFeatures) =>
        throw context.NoProgram($"'{context.Path}' ({Kind}) is not fused into a convolution; add [Fuse(\"Conv\", \"BN\")] (or [Fuse(\"Conv\", \"BN\", \"ReLU\")])");

    protected override FloatLowering LowerFloat(LoweringContext context, int numFeatures)
    {
        (int channels, int pixels) = Int8Planner.ChannelsAndPixels(context.InputShape);
        return new FloatBatchNormLowering(channels, pixels);
    }
}
