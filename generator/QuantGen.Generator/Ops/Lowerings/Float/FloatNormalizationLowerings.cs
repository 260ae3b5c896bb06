using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>LayerNorm over the last <see cref="Count"/> values, in float.</summary>
internal sealed record FloatLayerNormLowering(int Count) : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatLayerNorm";

    public override string Create(StepText step) => $"CompiledFloatLayerNorm.Create(model, {step.Path}, count: {Count})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject} in float.";
}

/// <summary>Softmax along <see cref="Dim"/> in float, each sample viewed as [outer, size, inner] around the axis.</summary>
internal sealed record FloatSoftmaxLowering(int Dim, int Outer, int Size, int Inner) : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatSoftmax";

    public override string Create(StepText step) =>
        $"CompiledFloatSoftmax.Create(model, {step.Path}, dim: {Dim}, outer: {Outer}, size: {Size}, inner: {Inner})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject} in float.";
}

/// <summary>GroupNorm over NCHW samples in float.</summary>
internal sealed record FloatGroupNormLowering(int Groups, int Channels, int Pixels) : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatGroupNorm";

    public override string Create(StepText step) =>
        $"CompiledFloatGroupNorm.Create(model, {step.Path}, groups: {Groups}, channels: {Channels}, pixels: {Pixels})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject} in float.";
}
