using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>An int8 transposed convolution over NHWC bytes, with a BatchNorm folded into its weights at convert if fused.</summary>
internal sealed record ConvTranspose2dLowering(int InChannels, int InHeight, int InWidth, ConvTranspose2dArgs Args, string Fusion) : Int8Lowering
{
    public override string? RuntimeType => "CompiledConvTranspose2d";

    public override string Create(StepText step) =>
        $"CompiledConvTranspose2d.Create(model, {step.Path}, {step.InputQParams()},\n" +
        $"    new global::QuantGen.Kernels.ConvTransposeGeometry(Batch: Arena.MaxBatch, InChannels: {InChannels}, InHeight: {InHeight}, InWidth: {InWidth}, " +
        $"OutChannels: {Args.OutChannels}, KernelHeight: {Args.KernelSize}, KernelWidth: {Args.KernelSize}, StrideHeight: {Args.Stride}, StrideWidth: {Args.Stride}, " +
        $"PadHeight: {Args.Padding}, PadWidth: {Args.Padding}, OutputPadHeight: {Args.OutputPadding}, OutputPadWidth: {Args.OutputPadding}, " +
        $"DilationHeight: {Args.Dilation}, DilationWidth: {Args.Dilation}, Groups: {Args.Groups}))";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, n)";

    public override string Describe(StepText step) => WeightLayerText.Describe(step, Fusion);
}
