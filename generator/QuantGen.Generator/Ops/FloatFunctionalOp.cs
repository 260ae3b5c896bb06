using System.Collections.Generic;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// PyTorch's <c>FloatFunctional</c>: a module whose ops are its methods (<c>skip.Add(a, b)</c>, <c>se.Mul(x, gate)</c>,
/// <c>join.Cat([a, b], 1)</c>), each call a step with its method's descriptor (<see cref="Method"/>); the module itself
/// has no Forward.
/// </summary>
internal sealed class FloatFunctionalOp : OpDescriptor<NoArgs>
{
    private static readonly OpDescriptor[] Methods =
    [
        new FunctionalBinaryOp("Add", FunctionalBinaryOp.Arithmetic.Add),
        new FunctionalBinaryOp("AddRelu", FunctionalBinaryOp.Arithmetic.AddRelu),
        new FunctionalBinaryOp("Mul", FunctionalBinaryOp.Arithmetic.Mul),
        new FunctionalCatOp(),
        new FunctionalScalarOp("AddScalar", add: true),
        new FunctionalScalarOp("MulScalar", add: false),
    ];

    public override string Kind => "FloatFunctional";

    public override Int8Form Int8Form => Int8Form.Kernel;

    public override OpDescriptor? Method(string methodName)
    {
        foreach (OpDescriptor method in Methods)
        {
            if (method.Kind == Kind + "." + methodName) return method;
        }

        return null;
    }

    public override NoArgs Read(OpArgs args) => NoArgs.Value;

    protected override long[] InferShape(ShapeContext context, NoArgs args) =>
        throw context.Invalid($"a {Kind} has no Forward: call one of its methods ({string.Join(", ", MethodNames())})", "");

    protected override Int8Lowering Lower(LoweringContext context, NoArgs args) =>
        throw context.NoProgram($"'{context.Path}' ({Kind}) is called with Forward, which it does not have");

    private IEnumerable<string> MethodNames()
    {
        foreach (OpDescriptor method in Methods) yield return method.Kind.Substring(Kind.Length + 1);
    }
}
