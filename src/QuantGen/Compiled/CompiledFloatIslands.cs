using QuantGen.Kernels.Float;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>
/// A layer with no int8 kernel, run as eager's <see cref="FloatIsland"/> runs it — dequantize, the same float
/// kernel, quantize with the calibrated output qparams — over spans: equal bit for bit, and nothing allocated.
/// The float kernel sees NCHW order: channels-last bytes of several channels and pixels are transposed on the way in
/// and out. The caller lends the input's and the output's length in floats of scratch (<c>2 × length</c> for the
/// islands whose output has their input's shape).
/// </summary>
public abstract class CompiledFloatIsland
{
    private readonly ActivationQParams inputQ;
    private readonly int channels, pixels;

    /// <param name="inputQ">The input's qparams.</param>
    /// <param name="output">The output's qparams.</param>
    /// <param name="channels">Channels of one sample of the island's values (stored channels-last).</param>
    /// <param name="pixels">Values per channel.</param>
    private protected CompiledFloatIsland(ActivationQParams inputQ, ActivationQParams output, int channels, int pixels) =>
        (this.inputQ, Output, this.channels, this.pixels) = (inputQ, output, channels, pixels);

    public ActivationQParams Output { get; }

    /// <summary>Any whole number of samples.</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, Span<float> scratch)
    {
        Span<float> x = scratch.Slice(0, input.Length), y = scratch.Slice(input.Length, OutputLength(input.Length));
        Compiled.ChannelsLast.Dequantize(input, inputQ, channels, pixels, x);
        Run(x, y);
        var (outChannels, outPixels) = OutputLayout;
        Compiled.ChannelsLast.Quantize(y, Output, outChannels, outPixels, output);
    }

    private protected abstract void Run(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>The output's length for an input of <paramref name="inputLength"/> values: the same, unless the op resizes.</summary>
    private protected virtual int OutputLength(int inputLength) => inputLength;

    /// <summary>A sample of the output's channels and pixels per channel: the input's, unless the op resizes.</summary>
    private protected virtual (int Channels, int Pixels) OutputLayout => (channels, pixels);

    private protected static FloatIsland Island(Module model, string path, string kind) => CompiledModel.Substitute<FloatIsland>(model, path, kind);
}

/// <summary>LayerNorm as a float island.</summary>
public sealed class CompiledLayerNorm : CompiledFloatIsland
{
    private readonly int count;
    private readonly float[]? weight, bias;
    private readonly float eps;

    private CompiledLayerNorm(LayerNorm layer, ActivationQParams input, ActivationQParams output, int channels, int pixels)
        : base(input, output, channels, pixels)
    {
        count = (int)layer.NormalizedShape.ElementCount;
        weight = layer.Weight?.Data;
        bias = layer.Bias?.Data;
        eps = layer.Eps;
    }

    /// <summary>The LayerNorm at <paramref name="path"/>, normalising the last <paramref name="count"/> values.</summary>
    public static CompiledLayerNorm Create(Module model, string path, ActivationQParams input, int count, int channels = 1, int pixels = 1)
    {
        FloatIsland island = Island(model, path, "LayerNorm");
        var layer = (LayerNorm)island.Layer;
        CompiledModel.Check(path, "the normalized values", count, (int)layer.NormalizedShape.ElementCount);
        return new CompiledLayerNorm(layer, input, island.Output, channels, pixels);
    }

    /// <summary>Keeps no scratch (the caller lends it to <c>Forward</c>): every fork of a generated pass shares this one.</summary>
    public CompiledLayerNorm Fork() => this;

    private protected override void Run(ReadOnlySpan<float> input, Span<float> output) =>
        NormalizationKernels.LayerNorm(input, count, weight, bias, eps, output);
}

/// <summary>Softmax as a float island, over each sample viewed as [outer, size, inner] around its axis.</summary>
public sealed class CompiledSoftmax : CompiledFloatIsland
{
    private readonly int size, inner;

    private CompiledSoftmax(int size, int inner, ActivationQParams input, ActivationQParams output, int channels, int pixels)
        : base(input, output, channels, pixels) =>
        (this.size, this.inner) = (size, inner);

    public static CompiledSoftmax Create(
        Module model, string path, ActivationQParams input, int dim, int outer, int size, int inner, int channels = 1, int pixels = 1)
    {
        FloatIsland island = Island(model, path, "Softmax");
        CompiledModel.Check(path, "the dimension", dim, ((Softmax)island.Layer).Dim);
        return new CompiledSoftmax(size, inner, input, island.Output, channels, pixels);
    }

    /// <summary>Keeps no scratch (the caller lends it to <c>Forward</c>): every fork of a generated pass shares this one.</summary>
    public CompiledSoftmax Fork() => this;

    /// <summary>Consecutive samples are consecutive blocks of <c>outer</c>: one softmax over all of them.</summary>
    private protected override void Run(ReadOnlySpan<float> input, Span<float> output) =>
        NormalizationKernels.Softmax(input, input.Length / (size * inner), size, inner, output);
}

/// <summary>An element-wise activation with no int8 kernel (SiLU, GELU) as a float island.</summary>
public sealed class CompiledFloatActivation : CompiledFloatIsland
{
    private readonly Func<float, float> function;

    private CompiledFloatActivation(Func<float, float> function, ActivationQParams input, ActivationQParams output)
        : base(input, output, 1, 1) => this.function = function;

    /// <summary>The SiLU or GELU at <paramref name="path"/>; element-wise, so the bytes need no transposition.</summary>
    public static CompiledFloatActivation Create<TActivation>(Module model, string path, ActivationQParams input)
        where TActivation : Layer
    {
        FloatIsland island = Island(model, path, typeof(TActivation).Name);
        if (island.Layer is not TActivation)
        {
            throw new QuantizationException($"'{path}' is a {island.Layer.GetType().Name}, but the generated code expects a {typeof(TActivation).Name}.");
        }
        return new CompiledFloatActivation(FunctionOf(island.Layer), input, island.Output);
    }

    /// <summary>The float function of a SiLU or GELU, as its eager forward computes each value.</summary>
    internal static Func<float, float> FunctionOf(Layer layer) => layer switch
    {
        SiLU => SiLU.Value,
        GELU gelu => gelu.Value,
        _ => throw new QuantizationException($"{layer.GetType().Name} is not an element-wise float activation (SiLU, GELU)."),
    };

    /// <summary>Keeps no scratch (the caller lends it to <c>Forward</c>): every fork of a generated pass shares this one.</summary>
    public CompiledFloatActivation Fork() => this;

    private protected override void Run(ReadOnlySpan<float> input, Span<float> output)
    {
        for (int i = 0; i < input.Length; i++) output[i] = function(input[i]);
    }
}

/// <summary>GroupNorm as a float island, over each sample's NCHW floats.</summary>
public sealed class CompiledGroupNorm : CompiledFloatIsland
{
    private readonly int groups, channels, pixels;
    private readonly float[]? weight, bias;
    private readonly float eps;

    private CompiledGroupNorm(GroupNorm layer, ActivationQParams input, ActivationQParams output, int channels, int pixels)
        : base(input, output, channels, pixels)
    {
        (groups, this.channels, this.pixels) = (layer.NumGroups, channels, pixels);
        (weight, bias, eps) = (layer.Weight?.Data, layer.Bias?.Data, layer.Eps);
    }

    public static CompiledGroupNorm Create(Module model, string path, ActivationQParams input, int groups, int channels, int pixels)
    {
        FloatIsland island = Island(model, path, "GroupNorm");
        var layer = island.Layer as GroupNorm ?? throw new QuantizationException($"'{path}' is a {island.Layer.GetType().Name}, but the generated code expects a GroupNorm.");
        CompiledModel.Check(path, "the groups", groups, layer.NumGroups);
        CompiledModel.Check(path, "the channels", channels, layer.NumChannels);
        return new CompiledGroupNorm(layer, input, island.Output, channels, pixels);
    }

    /// <summary>Keeps no scratch (the caller lends it to <c>Forward</c>): every fork of a generated pass shares this one.</summary>
    public CompiledGroupNorm Fork() => this;

    private protected override void Run(ReadOnlySpan<float> input, Span<float> output) =>
        NormalizationKernels.GroupNorm(input, channels, pixels, groups, weight, bias, eps, output);
}
