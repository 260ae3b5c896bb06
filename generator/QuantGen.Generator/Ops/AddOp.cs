using System.Collections.Generic;
using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// A residual add of two tensors of one shape: an <c>Add</c> module (<c>skipAdd.Forward(a, b)</c>, which eager
/// quantization observes and converts), or <c>a + b</c> / <c>Functional.Add(a, b)</c>, which have no int8 form.
/// </summary>
internal sealed class AddOp : OpDescriptor<NoArgs>
{
    public override string Kind => "Add";

    public override IReadOnlyList<string> FunctionalNames => [Kind];

    public override int Arity => 2;

    public override Int8Form Int8Form => Int8Form.Kernel;

    public override NoArgs Read(OpArgs args) => NoArgs.Value;

    protected override long[] InferShape(ShapeContext context, NoArgs args)
    {
        long[] left = context.InputAt(0), right = context.InputAt(1);
        if (ShapeContext.Format(left) != ShapeContext.Format(right))
        {
            throw context.Mismatch($"two inputs of one shape, {ShapeContext.Format(left)} ({context.FromAt(0)})", ShapeContext.Format(right), context.FromAt(1));
        }

        return left;
    }

    protected override Int8Lowering Lower(LoweringContext context, NoArgs args)
    {
        if (context.Path.Length == 0)
        {
            throw context.NoProgramAtCall("'+' on quantized tensors has no int8 form (eager int8 rejects it too); add with an Add module: 'skipAdd.Forward(a, b)'");
        }

        return new AddLowering();
    }

    protected override FloatLowering LowerFloat(LoweringContext context, NoArgs args) => new FloatAddLowering();
}
