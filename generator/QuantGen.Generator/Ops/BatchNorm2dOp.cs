using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// <c>BatchNorm2d(numFeatures)</c>: folded into the convolution before it by a <c>[Fuse("Conv", "BN", …)]</c> (or
/// <c>[Fuse("ConvTranspose", "BN")]</c>); alone, PyTorch's quantized BatchNorm2d, with a ReLU after it fused in by
/// <c>[Fuse("BN", "ReLU")]</c> (BNReLU2d).
/// </summary>
internal sealed class BatchNorm2dOp : OpDescriptor<int>
{
    public override string Kind => "BatchNorm2d";

    public override string FuseRole => "BN";

    public override string FusionEffect => "BatchNorm folded into the weights and bias";

    public override Int8Form Int8Form => Int8Form.Kernel;

    public override int Read(OpArgs args) => args.Int("numFeatures");

    protected override long[] InferShape(ShapeContext context, int numFeatures)
    {
        context.RequirePositive("numFeatures");
        context.RequireChannels("numFeatures", numFeatures);
        return context.Input;
    }

    protected override Int8Lowering Lower(LoweringContext context, int numFeatures) =>
        new BatchNorm2dLowering(numFeatures, context.FusedActivation, context.FusionText);

    protected override FloatLowering LowerFloat(LoweringContext context, int numFeatures)
    {
        (int channels, int pixels) = Int8Planner.ChannelsAndPixels(context.InputShape);
        return new FloatBatchNormLowering(channels, pixels, context.FusedActivation);
    }
}
