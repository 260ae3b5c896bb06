using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>
/// A pointwise activation: each byte through its 256-entry table, built once from the input's qparams and the
/// output's (observed by convert, or fixed by PyTorch for the op). <see cref="ModuleType"/> is the runtime module.
/// </summary>
internal sealed record PointwiseLowering(string Kind, string ModuleType) : Int8Lowering
{
    public override string? RuntimeType => "CompiledPointwise";

    public override string Create(StepText step) => $"CompiledPointwise.Create<global::{ModuleType}>(model, {step.Path}, {step.InputQParams()})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject}: each byte through its 256-entry table, PyTorch's quantized {Kind}.";
}
