using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>ReLU or ReLU6 in float, not fused into a layer: <see cref="Factory"/> is the <c>CompiledFloatClamp</c> method.</summary>
internal sealed record FloatClampLowering(string Factory, string Range) : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatClamp";

    public override string Create(StepText step) => $"CompiledFloatClamp.{Factory}()";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject} in float: clamps to {Range}.";
}

/// <summary>A residual add in float, as an Add module or <c>a + b</c>.</summary>
internal sealed record FloatAddLowering : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatAdd";

    public override string Create(StepText step) => "CompiledFloatAdd.Create()";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read(0)}, {step.Read(1)}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject} in float.";
}

/// <summary>
/// A pointwise activation in float (<see cref="ModuleType"/>, its runtime module): the module's own function, value
/// by value; <see cref="Factory"/> is <c>Island</c> for SiLU and GELU, which are not <c>PointwiseActivation</c>s.
/// </summary>
internal sealed record FloatPointwiseLowering(string ModuleType, string Factory = "Create") : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatPointwise";

    public override string Create(StepText step) => $"CompiledFloatPointwise.{Factory}<global::{ModuleType}>(model, {step.Path})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject} in float, value by value.";
}

/// <summary>A BatchNorm no <c>[Fuse]</c> folds: eval's per-channel scale and shift over NCHW planes, a ReLU <c>[Fuse("BN", "ReLU")]</c> names on its output.</summary>
internal sealed record FloatBatchNormLowering(int Channels, int Pixels, string Activation = "None") : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatBatchNorm";

    public override string Create(StepText step) =>
        $"CompiledFloatBatchNorm.Create(model, {step.Path}, channels: {Channels}, pixels: {Pixels}" +
        (Activation != "None" ? $", global::QuantGen.Kernels.FusedActivation.{Activation})" : ")");

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, n)";

    public override string Describe(StepText step) =>
        $"{step.Subject} in float, with its running statistics" + (Activation != "None" ? $", {Activation} on its output." : ".");
}
