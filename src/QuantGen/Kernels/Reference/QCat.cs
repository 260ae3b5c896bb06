namespace QuantGen.Kernels.Reference;

/// <summary>
/// Concatenation of quint8 tensors along one dimension into the output's qparams, as PyTorch 1.13's
/// <c>quantized::cat</c> (<c>qconcat.cpp</c>): an input with the output's qparams is copied; any other is
/// requantized, dequantized with fused multiply-add and quantized to the output (<see cref="QLookup.Requantize"/>),
/// which is what both of its paths compute — the channels-last fast path (<c>qcat_nhwc_kernel</c>) and the general
/// one (dequantize, <c>at::cat</c>, <c>quantize_per_tensor</c>).
/// </summary>
/// <remarks>Pure functions of their arguments: safe to call from any number of threads.</remarks>
public static class QCat
{
    /// <summary>Inputs in row-major (NCHW) layout; every dimension but <paramref name="dim"/> equal.</summary>
    /// <exception cref="ShapeMismatchException">The inputs do not fit, or the output has the wrong length.</exception>
    public static void Forward(
        IReadOnlyList<byte[]> inputs, IReadOnlyList<Shape> shapes, IReadOnlyList<ActivationQParams> qparams,
        int dim, ActivationQParams outputQ, Span<byte> output)
    {
        outputQ.Validate(nameof(outputQ));
        Shape outputShape = OutputShape(shapes, dim);
        ReferenceChecks.Length(output.Length, outputShape.ElementCount, "output", "QCat", $"{outputShape}");
        int outer = 1;
        for (int i = 0; i < dim; i++) outer *= outputShape[i];
        var tables = new byte[inputs.Count][];
        for (int i = 0; i < inputs.Count; i++)
        {
            ReferenceChecks.Length(inputs[i].Length, shapes[i].ElementCount, $"input {i}", "QCat", $"{shapes[i]}");
            qparams[i].Validate(nameof(qparams));
            tables[i] = qparams[i] == outputQ ? [] : QLookup.Requantize(qparams[i], outputQ);
        }
        int at = 0;
        for (int row = 0; row < outer; row++)
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                int block = (int)(shapes[i].ElementCount / outer);
                ReadOnlySpan<byte> source = inputs[i].AsSpan(row * block, block);
                if (tables[i].Length == 0) source.CopyTo(output[at..]);
                else QLookup.Apply(source, tables[i], output.Slice(at, block));
                at += block;
            }
        }
    }

    /// <summary>The shape of the concatenation along <paramref name="dim"/> (non-negative).</summary>
    /// <exception cref="ShapeMismatchException">No inputs, ranks differ, or a dimension other than <paramref name="dim"/> differs.</exception>
    public static Shape OutputShape(IReadOnlyList<Shape> shapes, int dim)
    {
        if (shapes.Count == 0) throw new ShapeMismatchException("Cat needs at least one tensor.");
        int[] dims = shapes[0].ToArray();
        if ((uint)dim >= (uint)dims.Length) throw new ShapeMismatchException($"Cat: dimension {dim} is out of range for {shapes[0]}.");
        for (int i = 1; i < shapes.Count; i++)
        {
            Shape shape = shapes[i];
            bool fits = shape.Rank == dims.Length;
            for (int axis = 0; fits && axis < dims.Length; axis++) fits = axis == dim || shape[axis] == dims[axis];
            if (!fits)
            {
                throw new ShapeMismatchException($"Cat along dimension {dim}: tensor {i} has shape {shape}, tensor 0 has {shapes[0]}; every other dimension must be equal.");
            }
            dims[dim] += shape[dim];
        }
        return new Shape(dims);
    }
}
