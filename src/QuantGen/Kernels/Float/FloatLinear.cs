using System.Numerics;

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
    /// observer's range search is discontinuous in the last bit of what it sees. Vectorised across output features
    /// (the weight transposed into per-thread scratch), which keeps each sum's order; no allocation in steady state.
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

        var transposed = new Span<float>(FloatScratch.Acquire((long)inFeatures * outFeatures), inFeatures * outFeatures);
        for (int o = 0; o < outFeatures; o++)
        {
            for (int k = 0; k < inFeatures; k++) transposed[k * outFeatures + o] = weight[o * inFeatures + k];
        }
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<float> x = input.Slice(row * inFeatures, inFeatures);
            Span<float> y = output.Slice(row * outFeatures, outFeatures);
            int o = 0;
            for (; o <= outFeatures - Vector<float>.Count; o += Vector<float>.Count)
            {
                var sum = Vector<float>.Zero;
                for (int k = 0; k < inFeatures; k++) sum += new Vector<float>(x[k]) * new Vector<float>(transposed.Slice(k * outFeatures + o));
                if (!bias.IsEmpty) sum += new Vector<float>(bias.Slice(o));
                sum.CopyTo(y.Slice(o));
            }
            for (; o < outFeatures; o++)
            {
                float sum = 0f;
                for (int k = 0; k < inFeatures; k++) sum += x[k] * transposed[k * outFeatures + o];
                y[o] = bias.IsEmpty ? sum : sum + bias[o];
            }
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
