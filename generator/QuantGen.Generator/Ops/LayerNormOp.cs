using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary><c>LayerNorm(normalizedShape)</c> over the last dimension: no int8 kernel, a float island.</summary>
internal sealed class LayerNormOp : OpDescriptor<int>
{
    public override string Kind => "LayerNorm";

    public override Int8Form Int8Form => Int8Form.FloatIsland;

    public override int Read(OpArgs args) => args.Int("normalizedShape");

    protected override long[] InferShape(ShapeContext context, int count)
    {
        context.RequirePositive("normalizedShape");
        return LastDimension.Require(context, "normalizedShape", $"a last dimension of {count}");
    }

    protected override Int8Lowering Lower(LoweringContext context, int count) => new LayerNormLowering(context.InputShape, count);

    protected override FloatLowering LowerFloat(LoweringContext context, int count) => new FloatLayerNormLowering(count);
}
