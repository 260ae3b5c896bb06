using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>A FloatFunctional's Add or AddRelu of two inputs of one shape: qnnpack's fixed-point add, ReLU as its clamp.</summary>
internal sealed record FunctionalAddLowering(string Activation) : Int8Lowering
{
    public override string? RuntimeType => "CompiledAdd";

    public override string Create(StepText step) =>
        $"CompiledAdd.CreateFunctional(model, {step.Path}, {step.InputQParams(0)}, {step.InputQParams(1)}, global::QuantGen.Kernels.FusedActivation.{Activation})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read(0)}, {step.Read(1)}, {step.Write})";

    public override string Describe(StepText step) =>
        $"{step.Subject}: both inputs requantized to its own qparams (qnnpack's fixed-point add){(Activation == "None" ? "" : ", floored at its zero point (ReLU)")}.";
}

/// <summary>
/// A FloatFunctional's Mul: of two inputs of one shape (<see cref="Gate"/> null), or of a channel gate — input
/// <see cref="Gate"/>, one value per channel — and every pixel of the other input's <see cref="Channels"/> channels.
/// </summary>
internal sealed record MulLowering(int? Gate, int Channels) : Int8Lowering
{
    public override string? RuntimeType => "CompiledMul";

    public override string Create(StepText step) => Gate is int gate
        ? $"CompiledMul.Create(model, {step.Path}, {step.InputQParams(1 - gate)}, {step.InputQParams(gate)})"
        : $"CompiledMul.Create(model, {step.Path}, {step.InputQParams(0)}, {step.InputQParams(1)})";

    public override string Call(StepText step) => Gate is int gate
        ? $"{step.Field}.ForwardGate({step.Read(1 - gate)}, {step.Read(gate)}, {step.Write}, n, channels: {Channels})"
        : $"{step.Field}.Forward({step.Read(0)}, {step.Read(1)}, {step.Write})";

    public override string Describe(StepText step) => Gate is null
        ? $"{step.Subject}: the product of the centred bytes, requantized with one float multiplier (PyTorch's quantized mul)."
        : $"{step.Subject}: every pixel's {Channels} channels times its sample's gate (input {Gate}), requantized with one float multiplier (PyTorch's quantized mul).";
}

/// <summary>
/// A FloatFunctional's Cat of two inputs: each sample is <see cref="RowsPerSample"/> rows of <see cref="ABlock"/> bytes
/// of the first input then <see cref="BBlock"/> of the second (a channel join is one row per pixel), each requantized
/// to the output's qparams where they differ.
/// </summary>
internal sealed record CatLowering(int RowsPerSample, int ABlock, int BBlock) : Int8Lowering
{
    public override string? RuntimeType => "CompiledCat";

    public override string Create(StepText step) =>
        $"CompiledCat.Create(model, {step.Path}, {step.InputQParams(0)}, {step.InputQParams(1)}, rowsPerSample: {RowsPerSample}, aBlock: {ABlock}, bBlock: {BBlock})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read(0)}, {step.Read(1)}, {step.Write}, n)";

    public override string Describe(StepText step) =>
        $"{step.Subject}: {RowsPerSample} rows per sample of {ABlock} + {BBlock} bytes, each input requantized to its qparams where they differ.";
}

/// <summary>A FloatFunctional's AddScalar or MulScalar: a 256-entry table, output qparams derived from the input's as PyTorch does.</summary>
internal sealed record ScalarLowering(bool Add, string Scalar) : Int8Lowering
{
    public override string? RuntimeType => "CompiledScalar";

    public override string Create(StepText step) => $"CompiledScalar.Create(model, {step.Path}, {step.InputQParams()}, add: {StepText.Bool(Add)}, scalar: {Scalar})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) =>
        $"{step.Subject}: each byte through its 256-entry table; the output qparams follow from the input's and {Scalar}, as in PyTorch.";
}
