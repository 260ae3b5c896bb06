using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>A BatchNorm2d in int8 (PyTorch's quantized BatchNorm2d), with a ReLU fused in as its clamp (BNReLU2d).</summary>
internal sealed record BatchNorm2dLowering(int Channels, string Activation, string Fusion) : Int8Lowering
{
    public override string? RuntimeType => "CompiledBatchNorm2d";

    public override string Create(StepText step) =>
        $"CompiledBatchNorm2d.Create(model, {step.Path}, {step.InputQParams()}, channels: {Channels}, global::QuantGen.Kernels.FusedActivation.{Activation})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) =>
        Fusion.Length > 0
            ? $"{step.Subject} {Fusion}; α and β per channel, PyTorch's quantized BatchNorm."
            : $"{step.Subject}, not folded into a convolution: α and β per channel, PyTorch's quantized BatchNorm.";
}
