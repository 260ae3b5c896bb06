using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>
/// An int8 linear layer, with an activation fused in as its requantize clamp; <see cref="Rows"/> rows of features a
/// sample, stored channels-last over <see cref="Channels"/> channels when that is above 1.
/// </summary>
internal sealed record LinearLowering(int InFeatures, int OutFeatures, string Activation, string Fusion, int Rows, int Channels) : Int8Lowering
{
    public override string? RuntimeType => "CompiledLinear";

    public override string Create(StepText step) =>
        $"CompiledLinear.Create(model, {step.Path}, {step.InputQParams()}, inFeatures: {InFeatures}, outFeatures: {OutFeatures}, " +
        $"global::QuantGen.Kernels.FusedActivation.{Activation}, maxBatch: {step.MaxBatch}{(Rows > 1 ? $", rows: {Rows}" : "")}{(Channels > 1 ? $", channels: {Channels}" : "")})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) => WeightLayerText.Describe(step, Fusion);
}
