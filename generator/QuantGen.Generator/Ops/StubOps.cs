using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// PyTorch's <c>QuantStub</c>: the identity in float; converted, it quantizes the model input. Placed after a float
/// island that a <c>DeQuantStub</c> opened, it closes it (the int8 planner decides which).
/// </summary>
internal sealed class QuantStubOp : OpDescriptor<NoArgs>
{
    public override string Kind => "QuantStub";

    public override string MetadataName => "QuantGen.Quantization." + Kind;

    public override Int8Form Int8Form => Int8Form.Quantize;

    public override NoArgs Read(OpArgs args) => NoArgs.Value;

    protected override long[] InferShape(ShapeContext context, NoArgs args) => context.Input;

    protected override Int8Lowering Lower(LoweringContext context, NoArgs args) => new QuantizeLowering(context.InputShape);
}

/// <summary>
/// PyTorch's <c>DeQuantStub</c>: the identity in float; converted, it dequantizes. At the end of <c>Forward</c> it
/// writes the caller's output; inside, it opens a float island that a <c>QuantStub</c> closes.
/// </summary>
internal sealed class DeQuantStubOp : OpDescriptor<NoArgs>
{
    public override string Kind => "DeQuantStub";

    public override string MetadataName => "QuantGen.Quantization." + Kind;

    public override Int8Form Int8Form => Int8Form.Dequantize;

    public override NoArgs Read(OpArgs args) => NoArgs.Value;

    protected override long[] InferShape(ShapeContext context, NoArgs args) => context.Input;

    protected override Int8Lowering Lower(LoweringContext context, NoArgs args) => new DequantizeLowering(context.InputShape);
}
