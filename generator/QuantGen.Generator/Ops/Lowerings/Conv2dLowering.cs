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
        $"    {Geometry(step.MaxBatch, InChannels, InHeight, InWidth, OutChannels, Window, Groups)},\n" +
        $"    global::QuantGen.Kernels.FusedActivation.{Activation})";

    /// <summary>A convolution's <c>QuantGen.Kernels.ConvGeometry</c> as generated code builds it, for <paramref name="batch"/> samples.</summary>
    public static string Geometry(string batch, int inChannels, int inHeight, int inWidth, int outChannels, ConvWindow window, int groups) =>
        $"new global::QuantGen.Kernels.ConvGeometry(Batch: {batch}, InChannels: {inChannels}, InHeight: {inHeight}, InWidth: {inWidth}, OutChannels: {outChannels}, " +
        $"KernelHeight: {window.KernelHeight}, KernelWidth: {window.KernelWidth}, StrideHeight: {window.StrideHeight}, StrideWidth: {window.StrideWidth}, " +
        $"PadHeight: {window.PadHeight}, PadWidth: {window.PadWidth}, DilationHeight: {window.DilationHeight}, DilationWidth: {window.DilationWidth}, Groups: {groups})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, n)";

    public override string Describe(StepText step) => WeightLayerText.Describe(step, Fusion);
}
