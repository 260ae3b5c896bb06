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
        $"    {Geometry("Arena.MaxBatch", InChannels, InHeight, InWidth, OutChannels, Kernel, Stride, Padding, Dilation, Groups)},\n" +
        $"    global::QuantGen.Kernels.FusedActivation.{Activation})";

    /// <summary>A square convolution's <c>QuantGen.Kernels.ConvGeometry</c> as generated code builds it, for <paramref name="batch"/> samples.</summary>
    public static string Geometry(string batch, int inChannels, int inHeight, int inWidth, int outChannels, int kernel, int stride, int padding, int dilation, int groups) =>
        $"new global::QuantGen.Kernels.ConvGeometry(Batch: {batch}, InChannels: {inChannels}, InHeight: {inHeight}, InWidth: {inWidth}, OutChannels: {outChannels}, " +
        $"KernelHeight: {kernel}, KernelWidth: {kernel}, StrideHeight: {stride}, StrideWidth: {stride}, PadHeight: {padding}, PadWidth: {padding}, " +
        $"DilationHeight: {dilation}, DilationWidth: {dilation}, Groups: {groups})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, n)";

    public override string Describe(StepText step) => WeightLayerText.Describe(step, Fusion);
}
