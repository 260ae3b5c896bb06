using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>A converted QuantStub: float NCHW samples → quint8 NHWC with the qparams calibration chose.</summary>
public sealed class CompiledQuantize
{
    private readonly int channels, pixels;

    private CompiledQuantize(ActivationQParams output, int channels, int pixels) => (Output, this.channels, this.pixels) = (output, channels, pixels);

    public ActivationQParams Output { get; }

    /// <summary>The QuantStub at <paramref name="path"/>, for samples of <c>channels</c> planes of <c>pixels</c> values (H·W; 1 and the length for a flat input).</summary>
    public static CompiledQuantize Create(Module model, string path, int channels = 1, int pixels = 1) =>
        new(CompiledModel.Substitute<QuantizeStep>(model, path, "QuantStub").Output, channels, pixels);

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledQuantize Fork() => this;

    /// <summary>Any whole number of samples.</summary>
    public void Forward(ReadOnlySpan<float> input, Span<byte> output) => ChannelsLast.Quantize(input, Output, channels, pixels, output);
}

/// <summary>A converted DeQuantStub: quint8 NHWC samples → float NCHW under its input's qparams.</summary>
public sealed class CompiledDequantize
{
    private readonly ActivationQParams inputQ;
    private readonly int channels, pixels;

    private CompiledDequantize(ActivationQParams inputQ, int channels, int pixels) => (this.inputQ, this.channels, this.pixels) = (inputQ, channels, pixels);

    public static CompiledDequantize Create(Module model, string path, ActivationQParams input, int channels = 1, int pixels = 1)
    {
        CompiledModel.Substitute<DequantizeStep>(model, path, "DeQuantStub");
        return new CompiledDequantize(input, channels, pixels);
    }

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledDequantize Fork() => this;

    /// <summary>Any whole number of samples.</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<float> output) => ChannelsLast.Dequantize(input, inputQ, channels, pixels, output);
}

/// <summary>
/// PyTorch's Flatten of channels-last samples with several channels and pixels: the bytes reordered to NCHW, the
/// order the next layer's weights expect. (Where the orders agree the generated code aliases the bytes instead.)
/// </summary>
public sealed class CompiledFlatten
{
    private readonly int channels, pixels;

    private CompiledFlatten(ActivationQParams q, int channels, int pixels) => (Output, this.channels, this.pixels) = (q, channels, pixels);

    public ActivationQParams Output { get; }

    public static CompiledFlatten Create(ActivationQParams input, int channels, int pixels) => new(input, channels, pixels);

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledFlatten Fork() => this;

    /// <summary>Any whole number of samples.</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output) => ChannelsLast.ToChannelsFirst(input, channels, pixels, output);
}
