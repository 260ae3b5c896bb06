using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary><c>Dropout(p)</c> and <c>Identity()</c>: the identity in eval mode, so an alias of their input.</summary>
internal sealed class IdentityOp(string kind) : OpDescriptor<NoArgs>
{
    public override string Kind => kind;

    public override Int8Form Int8Form => Int8Form.Identity;

    public override NoArgs Read(OpArgs args) => NoArgs.Value;

    protected override long[] InferShape(ShapeContext context, NoArgs args) => context.Input;

    protected override Int8Lowering Lower(LoweringContext context, NoArgs args) => new AliasLowering($"{kind} is the identity in eval mode");

    protected override FloatLowering LowerFloat(LoweringContext context, NoArgs args) => new FloatAliasLowering($"{kind} is the identity in eval mode");
}
