using System.Collections.Generic;
using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// <c>AdaptiveAvgPool1d(outputSize)</c> and <c>Functional.AdaptiveAvgPool1d(x, outputSize)</c> over [channels, length]:
/// the 2-D adaptive pool over one row, as PyTorch runs it; the input's qparams kept.
/// </summary>
internal sealed class AdaptiveAvgPool1dOp : OpDescriptor<int>
{
    public override string Kind => "AdaptiveAvgPool1d";

    public override IReadOnlyList<string> FunctionalNames => [Kind];

    public override Int8Form Int8Form => Int8Form.Kernel;

    public override int Read(OpArgs a) => a.Int("outputSize");

    protected override long[] InferShape(ShapeContext context, int outputSize)
    {
        context.RequirePositive("outputSize");
        context.RequireRank(2);
        return [context.Input[0], outputSize];
    }

    protected override Int8Lowering Lower(LoweringContext context, int outputSize) =>
        new AdaptiveAvgPool2dLowering(context.InputShape[0], 1, context.InputShape[1], 1, outputSize);

    protected override FloatLowering LowerFloat(LoweringContext context, int outputSize) =>
        new FloatAdaptiveAvgPool2dLowering(context.InputShape[0], 1, context.InputShape[1], 1, outputSize);
}
