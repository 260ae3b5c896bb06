using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>
/// A float convolution over NCHW values on the fast float kernels, weights packed once, with what <c>[Fuse]</c> folds
/// into it: a BatchNorm (<see cref="BatchNorm"/>, its path) folded into a copy of its weights, an activation clamping
/// its output.
/// </summary>
internal sealed record FloatConv2dLowering(
    int InChannels, int InHeight, int InWidth, int OutChannels, ConvWindow Window, int Groups,
    string Activation, string BatchNorm) : FloatLowering
{
    /// <summary>The kind of the folded BatchNorm, as its comment names it.</summary>
    public string BatchNormKind { get; init; } = "BatchNorm2d";

    public override string? RuntimeType => "CompiledFloatConv2d";

    public override string Create(StepText step) =>
        $"CompiledFloatConv2d.Create(model, {step.Path},\n" +
        $"    {Conv2dLowering.Geometry("1", InChannels, InHeight, InWidth, OutChannels, Window, Groups)},\n" +
        $"    global::QuantGen.Kernels.FusedActivation.{Activation}, batchNorm: {(BatchNorm.Length > 0 ? StepText.Literal(BatchNorm) : "null")})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, n)";

    public override string Describe(StepText step) => FloatWeightText.Describe(step, BatchNorm, Activation, BatchNormKind);
}

/// <summary>The comment of a float layer with weights and what is folded into it.</summary>
internal static class FloatWeightText
{
    public static string Describe(StepText step, string batchNorm, string activation, string batchNormKind = "BatchNorm2d") =>
        $"{step.Subject} in float" +
        (batchNorm.Length > 0 ? $", '{batchNorm}' ({batchNormKind}) folded into a copy of its weights" : "") +
        (activation != "None" ? $", {activation} on its output" : "") + ".";
}
