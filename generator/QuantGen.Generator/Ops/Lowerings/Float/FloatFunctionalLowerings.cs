using QuantGen.Generator.Emitting;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary><c>FloatFunctional.AddRelu</c> in float: the add, then ReLU.</summary>
internal sealed record FloatAddReluLowering : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatAdd";

    public override string Create(StepText step) => "CompiledFloatAdd.CreateRelu()";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read(0)}, {step.Read(1)}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject} in float, ReLU on its output.";
}

/// <summary>
/// <c>FloatFunctional.Mul</c> in float: of inputs of one shape (<see cref="Gate"/> null), or input <see cref="Gate"/>'s
/// [C, 1, 1] values each scaling a plane of <see cref="Plane"/> values of the other.
/// </summary>
internal sealed record FloatMulLowering(int? Gate, int Plane) : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatMul";

    public override string Create(StepText step) => Gate is int gate ? $"CompiledFloatMul.Gated(gate: {gate}, plane: {Plane})" : "CompiledFloatMul.Create()";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read(0)}, {step.Read(1)}, {step.Write})";

    public override string Describe(StepText step) =>
        Gate is int gate ? $"{step.Subject} in float: each plane times its channel's value in input {gate}." : $"{step.Subject} in float.";
}

/// <summary><c>FloatFunctional.Cat</c> in float: NCHW rows of one block of each input in turn (<see cref="Blocks"/>).</summary>
internal sealed record FloatCatLowering(EquatableArray<int> Blocks) : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatCat";

    public override string Create(StepText step) => $"CompiledFloatCat.Create(new[] {{ {string.Join(", ", Blocks)} }})";

    public override string Call(StepText step)
    {
        var call = new System.Text.StringBuilder($"{step.Field}.Into({step.Write})");
        for (int i = 0; i < Blocks.Count; i++) call.Append(".Join(").Append(step.Read(i)).Append(')');
        return call.ToString();
    }

    public override string Describe(StepText step) => $"{step.Subject} in float: rows of {string.Join(" + ", Blocks)} values.";
}

/// <summary><c>FloatFunctional.AddScalar</c> or <c>MulScalar</c> in float; <see cref="Scalar"/> is the C# text of the constant.</summary>
internal sealed record FloatScalarLowering(bool Add, string Scalar) : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatScalar";

    public override string Create(StepText step) => $"CompiledFloatScalar.Create(add: {StepText.Bool(Add)}, scalar: {Scalar})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject} in float: each value {(Add ? "plus" : "times")} {Scalar}.";
}

/// <summary><c>FloatFunctional.Add</c>, <c>AddRelu</c> or <c>Mul</c> (<see cref="Arithmetic"/>) of other shapes that broadcast: value by value.</summary>
internal sealed record FloatBroadcastLowering(string Arithmetic, EquatableArray<int> A, EquatableArray<int> B) : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatBroadcast";

    public override string Create(StepText step) =>
        $"CompiledFloatBroadcast.Create(global::QuantGen.Compiled.CompiledFloatBroadcast.Arithmetic.{Arithmetic}, new[] {{ {string.Join(", ", A)} }}, new[] {{ {string.Join(", ", B)} }})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read(0)}, {step.Read(1)}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject} in float: [{string.Join(", ", A)}] with [{string.Join(", ", B)}], broadcast value by value.";
}
