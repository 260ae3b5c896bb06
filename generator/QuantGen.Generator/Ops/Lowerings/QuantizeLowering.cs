using QuantGen.Generator.Emitting;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>A QuantStub at the input: the caller's float NCHW values → quint8 NHWC bytes, with the calibrated qparams.</summary>
internal sealed record QuantizeLowering(EquatableArray<int> Shape) : Int8Lowering
{
    public override string? RuntimeType => "CompiledQuantize";

    public override bool ReadsCallerInput => true;

    public override string Create(StepText step) => $"CompiledQuantize.Create(model, {step.Path}, {StepText.Layout(Shape)})";

    public override string Call(StepText step) => $"{step.Field}.Forward(input, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject}: float → quint8 with the qparams calibration chose.";
}
