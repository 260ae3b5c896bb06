using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>Max or average pooling over NCHW planes in float; <see cref="Factory"/> is the <c>CompiledFloatPool</c> method.</summary>
internal sealed record FloatPoolLowering(string Factory, PoolWindow Window, string Extra = "") : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatPool";

    public override string Create(StepText step) => $"CompiledFloatPool.{Factory}(model, {step.Path},\n    {Window.Geometry}{Extra})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, n)";

    public override string Describe(StepText step) => $"{step.Subject} in float.";
}

/// <summary>An adaptive average pool in float, as a module or as <c>Functional.AdaptiveAvgPool2d</c>.</summary>
internal sealed record FloatAdaptiveAvgPool2dLowering(int Planes, int InHeight, int InWidth, int OutHeight, int OutWidth) : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatPool";

    public override string Create(StepText step) =>
        $"CompiledFloatPool.Adaptive(planes: {Planes}, inHeight: {InHeight}, inWidth: {InWidth}, outHeight: {OutHeight}, outWidth: {OutWidth})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, n)";

    public override string Describe(StepText step) => $"{step.Subject} in float.";
}
