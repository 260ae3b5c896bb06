using QuantGen.Generator.Emitting;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>The DeQuantStub that ends <c>Forward</c>: quint8 NHWC bytes → the caller's float NCHW output.</summary>
internal sealed record DequantizeLowering(EquatableArray<int> Shape) : Int8Lowering
{
    /// <summary>True when a layer kept in float wrote the value: its floats go to the output unrounded, as eager's dequantize passes them.</summary>
    public bool FromKeptFloats { get; init; }

    public override string? RuntimeType => "CompiledDequantize";

    public override StepStorage Storage => StepStorage.CallerOutput;

    public override string Create(StepText step) => $"CompiledDequantize.Create(model, {step.Path}, {step.InputQParams()}, {StepText.Layout(Shape)})";

    public override string Call(StepText step) => FromKeptFloats ? $"{step.ReadFloats(0)}.CopyTo(output)" : $"{step.Field}.Forward({step.Read()}, output)";

    public override string Describe(StepText step) => FromKeptFloats
        ? $"{step.Subject}: the float values of a layer kept in float, unrounded, into the caller's output."
        : $"{step.Subject}: quint8 → float, into the caller's output.";
}
