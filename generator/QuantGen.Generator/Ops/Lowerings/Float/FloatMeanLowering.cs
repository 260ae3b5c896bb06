using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>The mean along <see cref="Dim"/> in float: <see cref="Size"/> values <see cref="Inner"/> apart, in PyTorch's summation order.</summary>
internal sealed record FloatMeanLowering(int Dim, int Size, int Inner) : FloatLowering
{
    public override string? RuntimeType => "CompiledFloatMean";

    public override string Create(StepText step) => $"CompiledFloatMean.Create(size: {Size}, inner: {Inner})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write})";

    public override string Describe(StepText step) => $"{step.Subject} in float: the mean of {Size} values along dimension {Dim}, summed in PyTorch's order.";
}
