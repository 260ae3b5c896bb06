using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>An int8 transposed convolution over NHWC bytes, with a BatchNorm folded into its weights at convert if fused.</summary>
internal sealed record ConvTranspose2dLowering(int InChannels, int InHeight, int InWidth, ConvTranspose2dArgs Args, string Fusion) : Int8Lowering
{
    public override string? RuntimeType => "CompiledConvTranspose2d";

    public override string Create(StepText step) =>
        $"CompiledConvTranspose2d.Create(model, {step.Path}, {step.InputQParams()},\n" +
        $"    {Geometry(step.MaxBatch, InChannels, InHeight, InWidth, Args)})";

    /// <summary>The <c>ConvTransposeGeometry</c> of <paramref name="batch"/> samples, as C#.</summary>
    public static string Geometry(string batch, int inChannels, int inHeight, int inWidth, ConvTranspose2dArgs args) =>
        $"new global::QuantGen.Kernels.ConvTransposeGeometry(Batch: {batch}, InChannels: {inChannels}, InHeight: {inHeight}, InWidth: {inWidth}, " +
        $"OutChannels: {args.OutChannels}, KernelHeight: {args.KernelSize}, KernelWidth: {args.KernelSize}, StrideHeight: {args.Stride}, StrideWidth: {args.Stride}, " +
        $"PadHeight: {args.Padding}, PadWidth: {args.Padding}, OutputPadHeight: {args.OutputPadding}, OutputPadWidth: {args.OutputPadding}, " +
        $"DilationHeight: {args.Dilation}, DilationWidth: {args.Dilation}, Groups: {args.Groups})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, n)";

    public override string Describe(StepText step) => WeightLayerText.Describe(step, Fusion);
}
