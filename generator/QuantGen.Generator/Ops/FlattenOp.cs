using System.Collections.Generic;
using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// <c>Flatten(startDim)</c>, <c>Functional.Flatten(x, startDim)</c> and <c>Module.Flatten(x, startDim)</c>: the
/// dimensions from <c>startDim</c> (which counts the batch dimension, as in PyTorch) joined into one.
/// </summary>
internal sealed class FlattenOp : OpDescriptor<int>
{
    public override string Kind => "Flatten";

    public override IReadOnlyList<string> FunctionalNames => [Kind];

    public override Int8Form Int8Form => Int8Form.Kernel;

    public override int Read(OpArgs args) => args.IntOr("startDim", 1);

    protected override long[] InferShape(ShapeContext context, int startDim)
    {
        long[] input = context.Input;
        // The per-sample shape starts at dimension 1.
        long start = startDim < 0 ? startDim + input.Length + 1 : startDim;
        if (start < 1 || start > input.Length)
        {
            throw context.Mismatch($"a start dimension between 1 and {input.Length}", $"{input.Length} dimensions, start dimension {startDim}");
        }

        var output = new List<long>();
        for (int i = 0; i < start - 1; i++) output.Add(input[i]);
        long product = 1;
        for (long i = start - 1; i < input.Length; i++) product *= input[i]; // no overflow: every shape so far has at most 2³¹−1 elements
        output.Add(product);
        return output.ToArray();
    }

    /// <summary>
    /// Quint8 values are stored channels-last (NHWC). Flatten wants NCHW order, which is the same bytes unless a
    /// sample has several channels of several pixels; then a step reorders them once.
    /// </summary>
    protected override Int8Lowering Lower(LoweringContext context, int startDim)
    {
        (int channels, int pixels) = Int8Planner.ChannelsAndPixels(context.InputShape);
        if (channels > 1 && pixels > 1) return new FlattenLowering(channels, pixels);
        return new AliasLowering(channels > 1 ? "one pixel: NHWC bytes are already flat" : "one channel: NHWC bytes are NCHW bytes");
    }

    protected override FloatLowering LowerFloat(LoweringContext context, int startDim) => new FloatAliasLowering("NCHW values are already in the order PyTorch flattens");
}
