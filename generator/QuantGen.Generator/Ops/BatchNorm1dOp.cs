using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// <c>BatchNorm1d(numFeatures)</c> over [features] or [channels, length]: folded into the Conv1d or Linear before it by
/// <c>[Fuse("Conv", "BN")]</c> or <c>[Fuse("Linear", "BN")]</c>; alone it is a float island, as PyTorch 1.13 (which has
/// no quantized BatchNorm1d) leaves it float.
/// </summary>
internal sealed class BatchNorm1dOp : OpDescriptor<int>
{
    public override string Kind => "BatchNorm1d";

    public override string FuseRole => "BN";

    public override string FusionEffect => "BatchNorm folded into the weights and bias";

    public override Int8Form Int8Form => Int8Form.FloatIsland;

    public override int Read(OpArgs args) => args.Int("numFeatures");

    protected override long[] InferShape(ShapeContext context, int numFeatures)
    {
        context.RequirePositive("numFeatures");
        long[] input = context.Input;
        if (input.Length is not (1 or 2)) throw context.Mismatch("a [features] or [channels, length] input", ShapeContext.Format(input));
        if (input[0] != numFeatures) throw context.ArgumentMismatch("numFeatures", $"{numFeatures} features", input[0]);
        return input;
    }

    protected override Int8Lowering Lower(LoweringContext context, int numFeatures)
    {
        var input = context.InputShape;
        return new BatchNorm1dLowering(input, numFeatures, input.Count == 2 ? input[1] : 1);
    }

    /// <summary>Eval's per-feature scale and shift, each feature's values a plane (one value for [features]).</summary>
    protected override FloatLowering LowerFloat(LoweringContext context, int numFeatures)
    {
        var input = context.InputShape;
        return new FloatBatchNormLowering(numFeatures, input.Count == 2 ? input[1] : 1);
    }
}
