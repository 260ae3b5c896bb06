using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// PyTorch's <c>QuantStub</c> and <c>DeQuantStub</c>: the identity in float. Converted, a QuantStub quantizes the model
/// input and a DeQuantStub at the end of <c>Forward</c> writes the caller's float output; inside <c>Forward</c> a
/// DeQuantStub opens a float island that a QuantStub closes (the int8 planner decides which from what they read).
/// </summary>
internal sealed class StubOp(string kind, Int8Form form) : OpDescriptor<NoArgs>
{
    public override string Kind => kind;

    public override string MetadataName => "QuantGen.Quantization." + kind;

    public override Int8Form Int8Form => form;

    public override NoArgs Read(OpArgs args) => NoArgs.Value;

    protected override long[] InferShape(ShapeContext context, NoArgs args) => context.Input;

    protected override Int8Lowering Lower(LoweringContext context, NoArgs args) =>
        form == Int8Form.Quantize ? new QuantizeLowering(context.InputShape) : new DequantizeLowering(context.InputShape);

    protected override FloatLowering LowerFloat(LoweringContext context, NoArgs args) => new FloatAliasLowering($"a {kind} is the identity in float");
}
