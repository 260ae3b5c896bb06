using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>Creates the step of a generated int8 pass for a layer kept in float (<c>[KeepFloat]</c>).</summary>
public static class CompiledKeptFloat
{
    /// <summary>
    /// The kept layer at <paramref name="path"/> of a converted model (its <see cref="KeptFloatLayer"/> gives the output
    /// qparams), running <paramref name="layer"/>, the layer's float step; <paramref name="inputs"/> are the qparams of
    /// its inputs' bytes, which it dequantizes when no kept layer before it left their floats.
    /// </summary>
    public static CompiledKeptFloat<TLayer> Create<TLayer>(Module model, string path, TLayer layer, Func<TLayer, TLayer> fork,
        ActivationQParams[] inputs, int inChannels, int inPixels, int outChannels, int outPixels) where TLayer : class
    {
        var kept = CompiledModel.Substitute<KeptFloatLayer>(model, path, "a layer kept in float ([KeepFloat])");
        return new CompiledKeptFloat<TLayer>(layer, fork, kept.Output, inputs, (inChannels, inPixels), (outChannels, outPixels));
    }
}

/// <summary>
/// A layer kept in float inside a generated int8 pass, as eager's <see cref="KeptFloatLayer"/>: its float step
/// (<see cref="Layer"/>) on NCHW floats — a kept layer's floats as they are, else quint8 NHWC bytes dequantized — and
/// its output quantized to NHWC bytes with the qparams calibration observed, for the int8 layers after it.
/// Immutable but for the float step's own scratch: <see cref="Fork"/> forks that.
/// </summary>
public sealed class CompiledKeptFloat<TLayer> where TLayer : class
{
    private readonly Func<TLayer, TLayer> fork;
    private readonly ActivationQParams[] inputs;
    private readonly (int Channels, int Pixels) input, output;

    internal CompiledKeptFloat(TLayer layer, Func<TLayer, TLayer> fork, ActivationQParams output, ActivationQParams[] inputs,
        (int Channels, int Pixels) inputLayout, (int Channels, int Pixels) outputLayout)
    {
        Layer = layer;
        Output = output;
        this.fork = fork;
        this.inputs = inputs;
        (input, this.output) = (inputLayout, outputLayout);
    }

    /// <summary>The layer's float step.</summary>
    public TLayer Layer { get; }

    /// <summary>The qparams its output bytes are quantized with.</summary>
    public ActivationQParams Output { get; }

    public CompiledKeptFloat<TLayer> Fork() => new(fork(Layer), fork, Output, inputs, input, output);

    /// <summary>Input <paramref name="index"/>'s quint8 NHWC bytes → NCHW floats; returns <paramref name="floats"/>.</summary>
    public Span<float> Dequantize(int index, ReadOnlySpan<byte> bytes, Span<float> floats)
    {
        ChannelsLast.Dequantize(bytes, inputs[index], input.Channels, input.Pixels, floats);
        return floats;
    }

    /// <summary>The float output (NCHW) → quint8 NHWC bytes with <see cref="Output"/>.</summary>
    public void Quantize(ReadOnlySpan<float> floats, Span<byte> bytes) => ChannelsLast.Quantize(floats, Output, output.Channels, output.Pixels, bytes);
}
