using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>
/// An int8 convolution over NHWC bytes, with what is fused into it: BatchNorm folded into its weights at convert,
/// an activation as its requantize clamp (<see cref="Activation"/>, a <c>FusedActivation</c> member).
/// </summary>
internal sealed record Conv2dLowering(
    int InChannels, int InHeight, int InWidth, int OutChannels, int Kernel, int Stride, int Padding, int Dilation, int Groups,
    string Activation, string Fusion) : Int8Lowering
{
    public override string? RuntimeType => "CompiledConv2d";

    public override string Create(StepText step) =>
        $"CompiledConv2d.Create(model, {step.Path}, {step.InputQParams()},\n" +
        $"    new global::QuantGen.Kernels.ConvGeometry(Batch: Arena.MaxBatch, InChannels: {InChannels}, InHeight: {InHeight}, InWidth: {InWidth}, OutChannels: {OutChannels}, " +
        $"KernelHeight: {Kernel}, KernelWidth: {Kernel}, StrideHeight: {Stride}, StrideWidth: {Stride}, PadHeight: {Padding}, PadWidth: {Padding}, " +
        $"DilationHeight: {Dilation}, DilationWidth: {Dilation}, Groups: {Groups}),\n" +
        $"    global::QuantGen.Kernels.FusedActivation.{Activation})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, n)";

    public override string Describe(StepText step) => WeightLayerText.Describe(step, Fusion);
}
