using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>An int8 linear layer, with an activation fused in as its requantize clamp.</summary>
internal sealed record LinearLowering(int InFeatures, int OutFeatures, string Activation, string Fusion) : Int8Lowering
{
    public override string? RuntimeType => "CompiledLinear";

    public override string Create(StepText step) =>
        $"CompiledLinear.Create(model, {step.Path}, {step.InputQParams()}, inFeatures: {InFeatures}, outFeatures: {OutFeatures}, " +
        $"global::QuantGen.Kernels.FusedActivation.{Activation}, maxBatch: Arena.MaxBatch)";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) => WeightLayerText.Describe(step, Fusion);
}
