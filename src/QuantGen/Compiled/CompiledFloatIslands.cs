using QuantGen.Kernels.Float;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>
/// A layer with no int8 kernel, run as eager's <see cref="FloatIsland"/> runs it — dequantize, the same float
/// kernel, quantize with the calibrated output qparams — over spans: equal bit for bit, and nothing allocated.
/// The caller lends <c>2 × length</c> floats of scratch.
/// </summary>
public abstract class CompiledFloatIsland
{
    private readonly ActivationQParams inputQ;

    private protected CompiledFloatIsland(ActivationQParams inputQ, ActivationQParams output) => (this.inputQ, Output) = (inputQ, output);

    public ActivationQParams Output { get; }

    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, Span<float> scratch)
    {
        Span<float> x = scratch.Slice(0, input.Length), y = scratch.Slice(input.Length, input.Length);
        Dequantize.Activations(input, inputQ, x);
        Run(x, y);
        Quantize.Activations(y, Output, output);
    }

    private protected abstract void Run(ReadOnlySpan<float> input, Span<float> output);

    private protected static FloatIsland Island(Module model, string path, string kind) => CompiledModel.Substitute<FloatIsland>(model, path, kind);
}

/// <summary>LayerNorm as a float island.</summary>
public sealed class CompiledLayerNorm : CompiledFloatIsland
{
    private readonly int count;
    private readonly float[]? weight, bias;
    private readonly float eps;

    private CompiledLayerNorm(LayerNorm layer, ActivationQParams input, ActivationQParams output) : base(input, output)
    {
        count = (int)layer.NormalizedShape.ElementCount;
        weight = layer.Weight?.Data;
        bias = layer.Bias?.Data;
        eps = layer.Eps;
    }

    /// <summary>The LayerNorm at <paramref name="path"/>, normalising the last <paramref name="count"/> values.</summary>
    public static CompiledLayerNorm Create(Module model, string path, ActivationQParams input, int count)
    {
        FloatIsland island = Island(model, path, "LayerNorm");
        var layer = (LayerNorm)island.Layer;
        CompiledModel.Check(path, "the normalized values", count, (int)layer.NormalizedShape.ElementCount);
        return new CompiledLayerNorm(layer, input, island.Output);
    }

    private protected override void Run(ReadOnlySpan<float> input, Span<float> output) =>
        NormalizationKernels.LayerNorm(input, count, weight, bias, eps, output);
}

/// <summary>Softmax as a float island, over one sample viewed as [outer, size, inner] around its axis.</summary>
public sealed class CompiledSoftmax : CompiledFloatIsland
{
    private readonly int outer, size, inner;

    private CompiledSoftmax(int outer, int size, int inner, ActivationQParams input, ActivationQParams output) : base(input, output) =>
        (this.outer, this.size, this.inner) = (outer, size, inner);

    public static CompiledSoftmax Create(Module model, string path, ActivationQParams input, int dim, int outer, int size, int inner)
    {
        FloatIsland island = Island(model, path, "Softmax");
        CompiledModel.Check(path, "the dimension", dim, ((Softmax)island.Layer).Dim);
        return new CompiledSoftmax(outer, size, inner, input, island.Output);
    }

    private protected override void Run(ReadOnlySpan<float> input, Span<float> output) =>
        NormalizationKernels.Softmax(input, outer, size, inner, output);
}
