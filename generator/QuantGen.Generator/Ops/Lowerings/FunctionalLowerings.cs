using QuantGen.Generator.Emitting;
using QuantGen.Generator.Model;

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
/// A FloatFunctional's Cat: each sample is <see cref="RowsPerSample"/> rows of one block of each input in turn
/// (<see cref="Blocks"/>; a channel join is one row per pixel), each input requantized to the output's qparams where
/// they differ, as PyTorch's <c>quantized::cat</c> of any number of tensors.
/// </summary>
internal sealed record CatLowering(int RowsPerSample, EquatableArray<int> Blocks) : Int8Lowering
{
    public override string? RuntimeType => "CompiledCat";

    public override string Create(StepText step)
    {
        var qparams = new string[Blocks.Count];
        for (int i = 0; i < qparams.Length; i++) qparams[i] = step.InputQParams(i);
        return $"CompiledCat.Create(model, {step.Path}, new[] {{ {string.Join(", ", qparams)} }}, rowsPerSample: {RowsPerSample}, blocks: new[] {{ {string.Join(", ", Blocks)} }})";
    }

    public override string Call(StepText step)
    {
        var call = new System.Text.StringBuilder($"{step.Field}.Into({step.Write}, n)");
        for (int i = 0; i < Blocks.Count; i++) call.Append(".Join(").Append(step.Read(i)).Append(')');
        return call.ToString();
    }

    public override string Describe(StepText step) =>
        $"{step.Subject}: {RowsPerSample} rows per sample of {string.Join(" + ", Blocks)} bytes, each input requantized to its qparams where they differ.";
}

/// <summary>
/// A FloatFunctional's Add, AddRelu or Mul of inputs that broadcast otherwise than the dedicated kernels take:
/// PyTorch's own kernels for the case (ATen's float <c>qadd_kernel</c>, <c>qmul_kernel</c>), element by element over
/// each sample's shapes <see cref="A"/> and <see cref="B"/> in memory order.
/// </summary>
internal sealed record BroadcastLowering(string Arithmetic, EquatableArray<int> A, EquatableArray<int> B) : Int8Lowering
{
    public override string? RuntimeType => "CompiledBroadcast";

    public override string Create(StepText step) =>
        $"CompiledBroadcast.Create(model, {step.Path}, {step.InputQParams(0)}, {step.InputQParams(1)}, " +
        $"global::QuantGen.Compiled.CompiledFloatBroadcast.Arithmetic.{Arithmetic}, aShape: new[] {{ {string.Join(", ", A)} }}, bShape: new[] {{ {string.Join(", ", B)} }})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read(0)}, {step.Read(1)}, {step.Write}, n)";

    public override string Describe(StepText step) =>
        $"{step.Subject}: [{string.Join(", ", A)}] with [{string.Join(", ", B)}] (memory order), broadcast element by element with PyTorch's kernel for the case " +
        (Arithmetic == "Mul" ? "(qmul_kernel)." : "(qadd_kernel: dequantized with fused multiply-add, summed in float, quantized).");
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
