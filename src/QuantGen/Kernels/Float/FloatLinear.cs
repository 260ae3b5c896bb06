namespace QuantGen.Kernels.Float;

/// <summary>A fully connected layer in float32, as PyTorch's <c>nn.Linear</c>: y = x·Wᵀ + b.</summary>
public static unsafe class FloatLinear
{
    /// <summary>
    /// <paramref name="output"/> [batch, outFeatures] = <paramref name="input"/> [batch, inFeatures] ·
    /// <paramref name="weight"/>ᵀ (weight [outFeatures, inFeatures], PyTorch's layout) + <paramref name="bias"/>
    /// (empty for none), in PyTorch 1.13's order: <c>addmm</c> hands the product to BLAS (Debian's build: the reference
    /// <c>sgemm</c>), which sums each dot product from 0 over the input features in order, a rounded product then a
    /// rounded add each (no fused multiply-add), and adds the bias last. Same bits, same observers: a Histogram
    /// observer's range search is discontinuous in the last bit of what it sees. The weight is packed into per-thread
    /// scratch for <see cref="BlasOrderProduct"/>; no allocation in steady state.
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

        float* panels = FloatScratch.Acquire((long)Panels.Padded(outFeatures) * inFeatures);
        fixed (float* w = weight) Panels.PackRows(w, inFeatures, outFeatures, inFeatures, panels);
        Run(input, panels, bias, batch, inFeatures, outFeatures, output);
    }

    /// <summary>The weight [outFeatures, inFeatures] packed once for <see cref="ForwardPacked"/>.</summary>
    internal static float[] Pack(ReadOnlySpan<float> weight, int inFeatures, int outFeatures)
    {
        CheckLength(weight, nameof(weight), outFeatures, inFeatures);
        var panels = new float[(long)Panels.Padded(outFeatures) * inFeatures];
        fixed (float* w = weight, target = panels) Panels.PackRows(w, inFeatures, outFeatures, inFeatures, target);
        return panels;
    }

    /// <summary>As the public forward, with the weight <see cref="Pack"/>ed once (a layer run many times need not repack it per call).</summary>
    internal static void ForwardPacked(
        ReadOnlySpan<float> input, float[] packedWeight, ReadOnlySpan<float> bias, int batch, int inFeatures, int outFeatures, Span<float> output)
    {
        CheckLength(input, nameof(input), batch, inFeatures);
        CheckLength(output, nameof(output), batch, outFeatures);
        if (!bias.IsEmpty) CheckLength(bias, nameof(bias), 1, outFeatures);
        if (packedWeight.Length != (long)Panels.Padded(outFeatures) * inFeatures)
        {
            throw new ShapeMismatchException($"FloatLinear: the packed weight holds {packedWeight.Length} values, not a packed [{outFeatures}, {inFeatures}] weight.");
        }
        if (batch == 0 || outFeatures == 0) return;
        fixed (float* panels = packedWeight) Run(input, panels, bias, batch, inFeatures, outFeatures, output);
    }

    private static void Run(ReadOnlySpan<float> input, float* panels, ReadOnlySpan<float> bias, int batch, int inFeatures, int outFeatures, Span<float> output)
    {
        fixed (float* x = input, b = bias, y = output)
        {
            BlasOrderProduct.Run(FloatKernelPaths.Current, panels, inFeatures, outFeatures, x, batch, bias.IsEmpty ? null : b, y);
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
