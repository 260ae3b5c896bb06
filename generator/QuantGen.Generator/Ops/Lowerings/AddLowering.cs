using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>An Add module: both inputs requantized to its own qparams.</summary>
internal sealed record AddLowering : Int8Lowering
{
    public override string? RuntimeType => "CompiledAdd";

    public override string Create(StepText step) => $"CompiledAdd.Create(model, {step.Path}, {step.InputQParams(0)}, {step.InputQParams(1)})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read(0)}, {step.Read(1)}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject}: both inputs requantized to its own qparams (qnnpack's fixed-point add).";
}
