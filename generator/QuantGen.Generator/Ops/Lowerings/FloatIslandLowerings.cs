using QuantGen.Generator.Emitting;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>
/// A layer with no int8 kernel, run as eager's float island: dequantize, the float kernel, quantize with the
/// calibrated qparams. It borrows <c>2 ×</c> its input's floats of scratch; over several channels and pixels it sees
/// NCHW floats (<see cref="Shape"/> says how to transpose).
/// </summary>
internal abstract record FloatIslandLowering(EquatableArray<int> Shape) : Int8Lowering
{
    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, Scratch)";

    public override string Describe(StepText step) =>
        $"{step.Subject}, a float island: dequantize, {step.Kind} in float, quantize with the qparams calibration chose.";

    public override long ScratchFloats(int inputLength) => 2L * inputLength;

    /// <summary>The transposition arguments, for an island over channels-last bytes.</summary>
    protected string Layout => StepText.IsChannelsLast(Shape) ? ", " + StepText.Layout(Shape) : "";
}

internal sealed record LayerNormLowering(EquatableArray<int> Shape, int Count) : FloatIslandLowering(Shape)
{
    public override string? RuntimeType => "CompiledLayerNorm";

    public override string Create(StepText step) => $"CompiledLayerNorm.Create(model, {step.Path}, {step.InputQParams()}, count: {Count}{Layout})";
}

/// <summary>Softmax along <see cref="Dim"/>, each sample viewed as [outer, size, inner] around the axis.</summary>
internal sealed record SoftmaxLowering(EquatableArray<int> Shape, int Dim, int Outer, int Size, int Inner) : FloatIslandLowering(Shape)
{
    public override string? RuntimeType => "CompiledSoftmax";

    public override string Create(StepText step) =>
        $"CompiledSoftmax.Create(model, {step.Path}, {step.InputQParams()}, dim: {Dim}, outer: {Outer}, size: {Size}, inner: {Inner}{Layout})";
}

/// <summary>SiLU or GELU (<see cref="ModuleType"/>), element by element: the bytes need no transposition.</summary>
internal sealed record FloatActivationLowering(EquatableArray<int> Shape, string ModuleType) : FloatIslandLowering(Shape)
{
    public override string? RuntimeType => "CompiledFloatActivation";

    public override string Create(StepText step) => $"CompiledFloatActivation.Create<global::{ModuleType}>(model, {step.Path}, {step.InputQParams()})";
}

/// <summary>GroupNorm over each sample's NCHW floats.</summary>
internal sealed record GroupNormLowering(EquatableArray<int> Shape, int Groups, int Channels, int Pixels) : FloatIslandLowering(Shape)
{
    public override string? RuntimeType => "CompiledGroupNorm";

    public override string Create(StepText step) =>
        $"CompiledGroupNorm.Create(model, {step.Path}, {step.InputQParams()}, groups: {Groups}, channels: {Channels}, pixels: {Pixels})";
}

/// <summary>A BatchNorm1d not fused into a layer before it: eval mode's per-channel scale and shift, in float.</summary>
internal sealed record BatchNorm1dLowering(EquatableArray<int> Shape, int Features, int Length) : FloatIslandLowering(Shape)
{
    public override string? RuntimeType => "CompiledBatchNorm1d";

    public override string Create(StepText step) =>
        $"CompiledBatchNorm1d.Create(model, {step.Path}, {step.InputQParams()}, features: {Features}, length: {Length}{Layout})";
}
