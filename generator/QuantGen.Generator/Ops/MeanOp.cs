using System.Collections.Generic;
using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

internal sealed record MeanArgs(int Dim, bool KeepDim);

/// <summary>
/// <c>Functional.Mean(x, dim, keepDim)</c> and <c>x.Mean(dim, keepDim)</c>: the mean along one dimension (counted with
/// the batch, as in PyTorch), which goes or stays with size 1. A float op: the float and dynamic passes run it; it has no
/// int8 form (a quantized model runs it between a DeQuantStub and a QuantStub of its own making, which a functional call
/// has no module to observe for).
/// </summary>
internal sealed class MeanOp : OpDescriptor<MeanArgs>
{
    public override string Kind => "Mean";

    /// <summary>No module: the method's full name, which no type has.</summary>
    public override string MetadataName => "QuantGen.Nn.Functional." + Kind;

    public override IReadOnlyList<string> FunctionalNames => [Kind];

    public override Int8Form Int8Form => Int8Form.Kernel;

    public override MeanArgs Read(OpArgs args) => new(args.Int("dim"), args.Flag("keepDim", byDefault: false));

    protected override long[] InferShape(ShapeContext context, MeanArgs args)
    {
        long[] input = context.Input;
        int axis = Axis(args.Dim, input.Length);
        if (axis == 0) throw context.Invalid($"dim {args.Dim} averages over the batch; a model's Forward averages within a sample (dim 1 or more)", "dim");
        if (axis < 0 || axis > input.Length) throw context.Invalid($"dim {args.Dim} is out of range for inputs of {input.Length + 1} dimensions (batch included)", "dim");
        var output = new List<long>(input);
        if (args.KeepDim) output[axis - 1] = 1;
        else output.RemoveAt(axis - 1);
        return output.ToArray();
    }

    protected override Int8Lowering Lower(LoweringContext context, MeanArgs args) =>
        throw context.NoProgramAtCall($"'{context.Step.Name}' ({Kind}) has no int8 form; the float and dynamic passes run it (QuantMode.Dynamic), as does the eager model");

    protected override FloatLowering LowerFloat(LoweringContext context, MeanArgs args)
    {
        var shape = context.InputShape;
        int axis = Axis(args.Dim, shape.Count) - 1;
        int inner = 1;
        for (int d = axis + 1; d < shape.Count; d++) inner *= shape[d];
        return new FloatMeanLowering(args.Dim, shape[axis], inner);
    }

    /// <summary>The dimension as PyTorch numbers it, batch included; negative counts from the end.</summary>
    private static int Axis(int dim, int sampleRank) => dim < 0 ? dim + sampleRank + 1 : dim;
}
