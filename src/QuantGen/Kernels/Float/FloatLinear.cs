namespace QuantGen.Kernels.Float;

/// <summary>A fully connected layer in float32, as PyTorch's <c>nn.Linear</c>: y = x·Wᵀ + b.</summary>
public static unsafe class FloatLinear
{
    /// <summary>
    /// <paramref name="output"/> [batch, outFeatures] = <paramref name="input"/> [batch, inFeatures] ·
    /// <paramref name="weight"/>ᵀ (weight [outFeatures, inFeatures], PyTorch's layout) + <paramref name="bias"/>
    /// (empty for none). Up to four rows of input are dot products against each weight row, read once; larger
    /// batches pack the weight into per-thread scratch and run the tiled GEMM. No allocation in steady state.
    /// </summary>
    public static void Forward(
        ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int batch, int inFeatures, int outFeatures, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(outFeatures);
        CheckLength(input, nameof(input), batch, inFeatures);
        CheckLength(weight, nameof(weight), outFeatures, inFeatures);
        CheckLength(output, nameof(output), batch, outFeatures);
        if (!bias.IsEmpty) CheckLength(bias, nameof(bias), 1, outFeatures);
        if (batch == 0 || outFeatures == 0) return;

        // As a GEMM: outputᵀ [out, batch] = W [out, in] · inputᵀ [in, batch]; every batch row is its own "image".
        FloatKernelPath path = FloatKernelPaths.Current;
        fixed (float* x = input, w = weight, b = bias, y = output)
        {
            var outputColumns = new BatchedMatrix(y, 1, 1, outFeatures);
            float* biasOrNull = bias.IsEmpty ? null : b;
            if (batch <= DotGemm.MaxColumns)
            {
                DotGemm.Run(path, w, inFeatures, outFeatures, inFeatures, x, inFeatures, batch, outputColumns, biasOrNull, accumulate: false);
                return;
            }
            float* scratch = FloatScratch.Acquire(MatrixProduct.RawScratchFloats(outFeatures, inFeatures, batch));
            var inputColumns = new BatchedMatrix(x, 1, 1, inFeatures);
            MatrixProduct.WithRawA(path, w, inFeatures, outFeatures, inFeatures, inputColumns, batch, outputColumns, biasOrNull, accumulate: false, scratch);
        }
    }

    /// <summary>Checks a [rows, columns] operand; the message is made only when it fails, so that a call allocates nothing.</summary>
    private static void CheckLength(ReadOnlySpan<float> values, string name, int rows, int columns)
    {
        long expected = (long)rows * columns;
        if (values.Length != expected)
        {
            string shape = name == "bias" ? $"[{columns}]" : $"[{rows}, {columns}]";
            throw new ShapeMismatchException($"FloatLinear: {name} should be {shape} = {expected} values, but has {values.Length}.");
        }
    }
}
