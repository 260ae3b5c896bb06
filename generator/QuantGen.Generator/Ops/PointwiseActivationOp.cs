using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// An activation whose quint8 form is a 256-entry table (<c>Hardswish</c>, <c>Hardsigmoid</c>, <c>Sigmoid</c>,
/// <c>Tanh</c>, <c>LeakyReLU</c>, <c>ELU</c>): the table is built at run time from the converted model, which holds
/// the op's arguments and output qparams, so the generator reads none; the shape passes through.
/// </summary>
internal sealed class PointwiseActivationOp(string kind) : OpDescriptor<NoArgs>
{
    public override string Kind => kind;

    public override Int8Form Int8Form => Int8Form.Kernel;

    public override NoArgs Read(OpArgs args) => NoArgs.Value;

    protected override long[] InferShape(ShapeContext context, NoArgs args) => context.Input;

    protected override Int8Lowering Lower(LoweringContext context, NoArgs args) => new PointwiseLowering(Kind, MetadataName);

    protected override FloatLowering LowerFloat(LoweringContext context, NoArgs args) => new FloatPointwiseLowering(MetadataName);
}
