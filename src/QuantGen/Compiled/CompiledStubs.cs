using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>A converted QuantStub: float → quint8 with the qparams calibration chose.</summary>
public sealed class CompiledQuantize
{
    private CompiledQuantize(ActivationQParams output) => Output = output;

    public ActivationQParams Output { get; }

    public static CompiledQuantize Create(Module model, string path) =>
        new(CompiledModel.Substitute<QuantizeStep>(model, path, "QuantStub").Output);

    public void Forward(ReadOnlySpan<float> input, Span<byte> output) => Quantize.Activations(input, Output, output);
}

/// <summary>A converted DeQuantStub: quint8 → float under its input's qparams.</summary>
public sealed class CompiledDequantize
{
    private readonly ActivationQParams inputQ;

    private CompiledDequantize(ActivationQParams inputQ) => this.inputQ = inputQ;

    public static CompiledDequantize Create(Module model, string path, ActivationQParams input)
    {
        CompiledModel.Substitute<DequantizeStep>(model, path, "DeQuantStub");
        return new CompiledDequantize(input);
    }

    public void Forward(ReadOnlySpan<byte> input, Span<float> output) => Dequantize.Activations(input, inputQ, output);
}
