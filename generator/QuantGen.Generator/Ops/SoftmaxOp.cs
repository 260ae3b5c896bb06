using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary><c>Softmax(dim)</c>: no int8 kernel, a float island; the shape passes through.</summary>
internal sealed class SoftmaxOp : OpDescriptor<int>
{
    public override string Kind => "Softmax";

    public override Int8Form Int8Form => Int8Form.FloatIsland;

    public override int Read(OpArgs args) => args.IntOr("dim", -1);

    protected override long[] InferShape(ShapeContext context, int dim) => context.Input;

    protected override Int8Lowering Lower(LoweringContext context, int dim)
    {
        (int outer, int size, int inner) = Around(context, dim);
        return new SoftmaxLowering(context.InputShape, dim, outer, size, inner);
    }

    protected override FloatLowering LowerFloat(LoweringContext context, int dim)
    {
        (int outer, int size, int inner) = Around(context, dim);
        return new FloatSoftmaxLowering(dim, outer, size, inner);
    }

    /// <summary>Each sample viewed as [outer, size, inner] around the axis, which counts the batch dimension as in PyTorch.</summary>
    private (int Outer, int Size, int Inner) Around(LoweringContext context, int dim)
    {
        var shape = context.InputShape;
        int rank = shape.Count + 1;
        int axis = dim < 0 ? dim + rank : dim;
        if (axis <= 0 || axis >= rank)
        {
            throw context.NoProgram($"'{context.Path}' ({Kind}) runs along dimension {dim}, not within one sample of shape [{string.Join(", ", shape)}]");
        }

        int outer = 1, inner = 1;
        for (int d = 0; d < axis - 1; d++) outer *= shape[d];
        for (int d = axis; d < shape.Count; d++) inner *= shape[d];
        return (outer, shape[axis - 1], inner);
    }
}
