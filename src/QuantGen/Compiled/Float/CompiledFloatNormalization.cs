using QuantGen.Kernels.Float;
using QuantGen.Nn;

namespace QuantGen.Compiled;

/// <summary>LayerNorm over the last values in a generated float pass. Shared by every fork and thread.</summary>
public sealed class CompiledFloatLayerNorm
{
    private readonly int count;
    private readonly float[]? weight, bias;
    private readonly float eps;

    private CompiledFloatLayerNorm(int count, float[]? weight, float[]? bias, float eps) => (this.count, this.weight, this.bias, this.eps) = (count, weight, bias, eps);

    public static CompiledFloatLayerNorm Create(Module model, string path, int count)
    {
        var layer = CompiledModel.Layer<LayerNorm>(model, path);
        CompiledModel.Check(path, "the normalized values", count, (int)layer.NormalizedShape.ElementCount);
        return new CompiledFloatLayerNorm(count, layer.Weight?.Data.ToArray(), layer.Bias?.Data.ToArray(), layer.Eps);
    }

    public CompiledFloatLayerNorm Fork() => this;

    public void Forward(ReadOnlySpan<float> input, Span<float> output) => NormalizationKernels.LayerNorm(input, count, weight, bias, eps, output);
}

/// <summary>Softmax in a generated float pass, over each sample viewed as [outer, size, inner]. Stateless: shared by every fork and thread.</summary>
public sealed class CompiledFloatSoftmax
{
    private readonly int size, inner;

    private CompiledFloatSoftmax(int size, int inner) => (this.size, this.inner) = (size, inner);

    public static CompiledFloatSoftmax Create(Module model, string path, int dim, int outer, int size, int inner)
    {
        CompiledModel.Check(path, "the dimension", dim, CompiledModel.Layer<Softmax>(model, path).Dim);
        _ = outer; // consecutive samples are consecutive blocks of outer: one softmax over all of them
        return new CompiledFloatSoftmax(size, inner);
    }

    public CompiledFloatSoftmax Fork() => this;

    public void Forward(ReadOnlySpan<float> input, Span<float> output) =>
        NormalizationKernels.Softmax(input, input.Length / (size * inner), size, inner, output);
}

/// <summary>GroupNorm in a generated float pass, over NCHW samples. Shared by every fork and thread.</summary>
public sealed class CompiledFloatGroupNorm
{
    private readonly int groups, channels, pixels;
    private readonly float[]? weight, bias;
    private readonly float eps;

    private CompiledFloatGroupNorm(GroupNorm layer, int channels, int pixels) =>
        (groups, this.channels, this.pixels, weight, bias, eps) = (layer.NumGroups, channels, pixels, layer.Weight?.Data.ToArray(), layer.Bias?.Data.ToArray(), layer.Eps);

    public static CompiledFloatGroupNorm Create(Module model, string path, int groups, int channels, int pixels)
    {
        var layer = CompiledModel.Layer<GroupNorm>(model, path);
        CompiledModel.Check(path, "the groups", groups, layer.NumGroups);
        CompiledModel.Check(path, "the channels", channels, layer.NumChannels);
        return new CompiledFloatGroupNorm(layer, channels, pixels);
    }

    public CompiledFloatGroupNorm Fork() => this;

    public void Forward(ReadOnlySpan<float> input, Span<float> output) =>
        NormalizationKernels.GroupNorm(input, channels, pixels, groups, weight, bias, eps, output);
}
