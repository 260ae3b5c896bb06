using System.Collections.Generic;
using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// <c>ReLU</c> and <c>ReLU6</c> (and <c>Functional.Relu</c>, <c>Functional.Relu6</c>): fused into the layer before
/// them as its requantize clamp, or else a clamp of the bytes; the shape passes through.
/// </summary>
internal sealed class ActivationOp(string kind, string functional, string range) : OpDescriptor<NoArgs>
{
    public override string Kind => kind;

    public override IReadOnlyList<string> FunctionalNames => [functional];

    public override string FuseRole => kind;

    public override string FusionEffect => $"{kind} as the requantize clamp";

    public override string FusedActivation => kind;

    public override Int8Form Int8Form => Int8Form.Kernel;

    public override NoArgs Read(OpArgs args) => NoArgs.Value;

    protected override long[] InferShape(ShapeContext context, NoArgs args) => context.Input;

    protected override Int8Lowering Lower(LoweringContext context, NoArgs args) => new ClampLowering(functional, range, MetadataName);

    protected override FloatLowering LowerFloat(LoweringContext context, NoArgs args) => new FloatClampLowering(functional, range);
}
