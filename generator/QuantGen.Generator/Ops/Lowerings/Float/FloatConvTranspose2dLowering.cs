using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>A float transposed convolution over NCHW values, a BatchNorm2d <c>[Fuse]</c> folds (<see cref="BatchNorm"/>, its path) folded into a copy of its weights.</summary>
internal sealed record FloatConvTranspose2dLowering(int InChannels, int InHeight, int InWidth, ConvTranspose2dArgs Args, string BatchNorm) : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatConvTranspose2d";

    public override string Create(StepText step) =>
        $"CompiledFloatConvTranspose2d.Create(model, {step.Path},\n" +
        $"    {ConvTranspose2dLowering.Geometry("1", InChannels, InHeight, InWidth, Args)}, batchNorm: {(BatchNorm.Length > 0 ? StepText.Literal(BatchNorm) : "null")})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, n)";

    public override string Describe(StepText step) => FloatWeightText.Describe(step, BatchNorm, "None");
}
