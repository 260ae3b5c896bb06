using System.Collections.Generic;
using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// <c>AdaptiveAvgPool2d(outputSize)</c>, and <c>Functional.AdaptiveAvgPool2d(x, outputSize)</c> or
/// <c>(x, outHeight, outWidth)</c>: PyTorch's adaptive windows, the input's qparams kept.
/// </summary>
internal sealed class AdaptiveAvgPool2dOp : OpDescriptor<(int Height, int Width)>
{
    public override string Kind => "AdaptiveAvgPool2d";

    public override IReadOnlyList<string> FunctionalNames => [Kind];

    public override Int8Form Int8Form => Int8Form.Kernel;

    public override (int Height, int Width) Read(OpArgs a) =>
        a.Has("outputSize") ? (a.Int("outputSize"), a.Int("outputSize")) : (a.Int("outHeight"), a.Int("outWidth"));

    protected override long[] InferShape(ShapeContext context, (int Height, int Width) size)
    {
        foreach (string name in new[] { "outputSize", "outHeight", "outWidth" })
        {
            if (context.Args.Has(name)) context.RequirePositive(name);
        }

        context.RequireRank3();
        return [context.Input[0], size.Height, size.Width];
    }

    protected override Int8Lowering Lower(LoweringContext context, (int Height, int Width) size)
    {
        var input = context.InputShape;
        return new AdaptiveAvgPool2dLowering(input[0], input[1], input[2], size.Height, size.Width);
    }

    protected override FloatLowering LowerFloat(LoweringContext context, (int Height, int Width) size)
    {
        var input = context.InputShape;
        return new FloatAdaptiveAvgPool2dLowering(input[0], input[1], input[2], size.Height, size.Width);
    }
}
