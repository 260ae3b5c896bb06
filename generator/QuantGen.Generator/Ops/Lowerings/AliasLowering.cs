using System.Collections.Generic;
using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>
/// A step that runs nothing: its output is its input's bytes. <see cref="Note"/> says why; a layer fused into
/// <see cref="FusedInto"/> is checked to be fused away in the converted model.
/// </summary>
internal sealed record AliasLowering(string Note, string FusedInto = "") : Int8Lowering
{
    public override string? RuntimeType => null;

    public override StepStorage Storage => StepStorage.Alias;

    public override IEnumerable<string> Checks(StepText step)
    {
        if (FusedInto.Length > 0) yield return $"{Compiled}CompiledModel.RequireFusedAway(model, {step.Path}, {StepText.Literal(FusedInto)});";
    }

    public override string Create(StepText step) => "";

    public override string Call(StepText step) => "";

    public override string Describe(StepText step) => $"{step.Subject}: {Note}.";

    public override string? AliasNote => Note;
}

/// <summary>A step of a float pass that runs nothing: its output is its input's values (a stub, Flatten, Dropout, a fused layer).</summary>
internal sealed record FloatAliasLowering(string Note) : FloatLowering
{
    public override string? RuntimeType => null;

    public override StepStorage Storage => StepStorage.Alias;

    public override string Create(StepText step) => "";

    public override string Call(StepText step) => "";

    public override string Describe(StepText step) => $"{step.Subject}: {Note}.";

    public override string? AliasNote => Note;
}
