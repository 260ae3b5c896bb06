using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary><c>SiLU</c> and <c>GELU</c>: element-wise, with no int8 kernel: float islands; the shape passes through.</summary>
internal sealed class FloatActivationOp(string kind) : OpDescriptor<NoArgs>
{
    public override string Kind => kind;

    public override Int8Form Int8Form => Int8Form.FloatIsland;

    public override NoArgs Read(OpArgs args) => NoArgs.Value;

    protected override long[] InferShape(ShapeContext context, NoArgs args) => context.Input;

    protected override Int8Lowering Lower(LoweringContext context, NoArgs args) => new FloatActivationLowering(context.InputShape, MetadataName);

    protected override FloatLowering LowerFloat(LoweringContext context, NoArgs args) => new FloatPointwiseLowering(MetadataName, Factory: "Island");
}
