using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>Flatten of several channels of several pixels: the NHWC bytes reordered to NCHW, the order PyTorch flattens.</summary>
internal sealed record FlattenLowering(int Channels, int Pixels) : Int8Lowering
{
    public override string? RuntimeType => "CompiledFlatten";

    public override string Create(StepText step) => $"CompiledFlatten.Create({step.InputQParams()}, channels: {Channels}, pixels: {Pixels})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject}: the channels-last bytes reordered to NCHW, the order PyTorch flattens.";
}
