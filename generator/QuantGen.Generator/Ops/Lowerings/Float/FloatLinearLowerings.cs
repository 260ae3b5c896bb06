using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>A float linear layer over the last dimension: every row of the pass one GEMM, a BatchNorm1d <c>[Fuse]</c> names folded into a copy of its weights, an activation on its output.</summary>
internal sealed record FloatLinearLowering(int InFeatures, int OutFeatures, string Activation, string BatchNorm = "") : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatLinear";

    public override string Create(StepText step) =>
        $"CompiledFloatLinear.Create(model, {step.Path}, inFeatures: {InFeatures}, outFeatures: {OutFeatures}, global::QuantGen.Kernels.FusedActivation.{Activation}" +
        (BatchNorm.Length > 0 ? $", batchNorm: {StepText.Literal(BatchNorm)})" : ")");

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) => FloatWeightText.Describe(step, BatchNorm, Activation, "BatchNorm1d");
}

/// <summary>
/// A dynamically quantized linear layer, as <c>quantize_dynamic</c> converts it: float in, each sample's
/// <see cref="RowsPerSample"/> rows quantized from their own range, int8 GEMM, float out; the int8 weights those
/// <c>QuantizeDynamic()</c> made after folding the BatchNorm1d a <c>[Fuse]</c> names, if any.
/// </summary>
internal sealed record DynamicLinearLowering(int InFeatures, int OutFeatures, int RowsPerSample, string Activation, string BatchNorm = "") : FloatLowering
{
    public override string? RuntimeType => "CompiledDynamicLinear";

    public override string Create(StepText step) =>
        $"CompiledDynamicLinear.Create(model, {step.Path}, inFeatures: {InFeatures}, outFeatures: {OutFeatures}, rowsPerSample: {RowsPerSample}, " +
        $"global::QuantGen.Kernels.FusedActivation.{Activation}" + (BatchNorm.Length > 0 ? $", batchNorm: {StepText.Literal(BatchNorm)})" : ")");

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, n)";

    public override string Describe(StepText step) =>
        $"{step.Subject}, dynamic: each sample quantized to quint8 from its own range, int8 weights" +
        (BatchNorm.Length > 0 ? $" with '{BatchNorm}' folded in" : "") + ", float out" +
        (Activation != "None" ? $", {Activation} on its output." : ".");
}
