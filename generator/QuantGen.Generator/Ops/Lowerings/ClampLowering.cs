using System.Collections.Generic;
using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>
/// An activation not fused into a layer: the bytes clamped to those of its range under the input's qparams.
/// <see cref="Factory"/> is the <c>CompiledClamp</c> method; a module (<see cref="ModuleType"/>) is checked to be
/// left unfused in the converted model.
/// </summary>
internal sealed record ClampLowering(string Factory, string Range, string ModuleType) : Int8Lowering
{
    public override string? RuntimeType => "CompiledClamp";

    public override IEnumerable<string> Checks(StepText step)
    {
        if (!step.IsFunctional) yield return $"{Compiled}CompiledModel.Unfused<global::{ModuleType}>(model, {step.Path});";
    }

    public override string Create(StepText step) => $"CompiledClamp.{Factory}({step.InputQParams()})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject}, not fused: clamps the bytes to those of {Range} under its input's qparams.";
}
