using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>An Upsample or <c>Functional.Interpolate</c> in float over NCHW planes, any mode and factor.</summary>
internal sealed record FloatUpsampleLowering(UpsampleWindow Window) : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatUpsample";

    public override string Create(StepText step) => step.IsFunctional
        ? $"CompiledFloatUpsample.Functional(\n    {Window.Geometry})"
        : $"CompiledFloatUpsample.Create(model, {step.Path},\n    {Window.Geometry})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject}, {Window.Mode}, in float.";
}
