using QuantGen.Generator.Emitting;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>The DeQuantStub that ends <c>Forward</c>: quint8 NHWC bytes → the caller's float NCHW output.</summary>
internal sealed record DequantizeLowering(EquatableArray<int> Shape) : Int8Lowering
{
    public override string? RuntimeType => "CompiledDequantize";

    public override StepStorage Storage => StepStorage.CallerOutput;

    public override string Create(StepText step) => $"CompiledDequantize.Create(model, {step.Path}, {step.InputQParams()}, {StepText.Layout(Shape)})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, output)";

    public override string Describe(StepText step) => $"{step.Subject}: quint8 → float, into the caller's output.";
}
