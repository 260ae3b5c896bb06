using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>A convolution's window, height then width: square for Conv2d, 1 × k (no padding above or below) for Conv1d.</summary>
internal sealed record ConvWindow(
    int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth, int PadHeight, int PadWidth, int DilationHeight, int DilationWidth);

/// <summary>
/// An int8 convolution over NHWC bytes (a Conv1d's [channels, length] is one row of them), with what is fused into
/// it: BatchNorm folded into its weights at convert, an activation as its requantize clamp (<see cref="Activation"/>,
/// a <c>FusedActivation</c> member).
/// </summary>
internal sealed record Conv2dLowering(
    int InChannels, int InHeight, int InWidth, int OutChannels, ConvWindow Window, int Groups, string Activation, string Fusion) : Int8Lowering
{
    public override string? RuntimeType => "CompiledConv2d";

    public override string Create(StepText step) =>
        $"CompiledConv2d.Create(model, {step.Path}, {step.InputQParams()},\n" +
        $"    new global::QuantGen.Kernels.ConvGeometry(Batch: Arena.MaxBatch, InChannels: {InChannels}, InHeight: {InHeight}, InWidth: {InWidth}, OutChannels: {OutChannels}, " +
        $"KernelHeight: {Window.KernelHeight}, KernelWidth: {Window.KernelWidth}, StrideHeight: {Window.StrideHeight}, StrideWidth: {Window.StrideWidth}, " +
        $"PadHeight: {Window.PadHeight}, PadWidth: {Window.PadWidth}, DilationHeight: {Window.DilationHeight}, DilationWidth: {Window.DilationWidth}, Groups: {Groups}),\n" +
        $"    global::QuantGen.Kernels.FusedActivation.{Activation})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, n)";

    public override string Describe(StepText step) => WeightLayerText.Describe(step, Fusion);
}
