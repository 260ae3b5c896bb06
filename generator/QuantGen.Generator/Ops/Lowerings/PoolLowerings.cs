using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>
/// A pooling window over NHWC planes, as <c>QuantGen.Kernels.PoolGeometry</c> takes it: square for the 2-D pools,
/// 1 × k over one row for the 1-D ones.
/// </summary>
internal sealed record PoolWindow(
    int Planes, int InHeight, int InWidth, int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth,
    int PadHeight, int PadWidth, int DilationHeight, int DilationWidth, bool CeilMode)
{
    public string Geometry =>
        $"new global::QuantGen.Kernels.PoolGeometry(Planes: {Planes}, InHeight: {InHeight}, InWidth: {InWidth}, KernelHeight: {KernelHeight}, KernelWidth: {KernelWidth}, " +
        $"StrideHeight: {StrideHeight}, StrideWidth: {StrideWidth}, PadHeight: {PadHeight}, PadWidth: {PadWidth}, DilationHeight: {DilationHeight}, DilationWidth: {DilationWidth}, CeilMode: {StepText.Bool(CeilMode)})";
}

/// <summary>The steps that keep their input's qparams and run on <c>n</c> samples at once: the pools.</summary>
internal abstract record PoolLowering : Int8Lowering
{
    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, n)";

    public override string Describe(StepText step) => $"{step.Subject}: keeps its input's qparams.";
}

internal sealed record MaxPool2dLowering(PoolWindow Window) : PoolLowering
{
    public override string? RuntimeType => "CompiledMaxPool2d";

    public override string Create(StepText step) => $"CompiledMaxPool2d.Create(model, {step.Path}, {step.InputQParams()},\n    {Window.Geometry})";
}

internal sealed record AvgPool2dLowering(PoolWindow Window, bool CountIncludePad) : PoolLowering
{
    public override string? RuntimeType => "CompiledAvgPool2d";

    public override string Create(StepText step) =>
        $"CompiledAvgPool2d.Create(model, {step.Path}, {step.InputQParams()},\n    {Window.Geometry}, countIncludePad: {StepText.Bool(CountIncludePad)})";
}

/// <summary>An adaptive average pool, as a module or as <c>Functional.AdaptiveAvgPool2d</c> (which has no module to read).</summary>
internal sealed record AdaptiveAvgPool2dLowering(int Planes, int InHeight, int InWidth, int OutHeight, int OutWidth) : PoolLowering
{
    public override string? RuntimeType => "CompiledAdaptiveAvgPool2d";

    public override string Create(StepText step)
    {
        string sizes = $"planes: {Planes}, inHeight: {InHeight}, inWidth: {InWidth}, outHeight: {OutHeight}, outWidth: {OutWidth}";
        return step.IsFunctional
            ? $"CompiledAdaptiveAvgPool2d.Functional({step.InputQParams()}, {sizes})"
            : $"CompiledAdaptiveAvgPool2d.Create(model, {step.Path}, {step.InputQParams()}, {sizes})";
    }
}
