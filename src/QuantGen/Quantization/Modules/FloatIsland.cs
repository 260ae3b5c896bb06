using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// A layer with no int8 kernel (LayerNorm, Softmax, an unfused BatchNorm, …) inside a quantized model: its input
/// is dequantized, it runs in float, and its output is quantized again with the range observed during
/// calibration. Each island costs a dequantize/quantize round trip; the analyzers report them.
/// </summary>
public sealed class FloatIsland(Layer layer, ActivationQParams output) : Module
{
    private readonly DequantizeStep enter = new();
    private readonly QuantizeStep exit = new(output);

    /// <summary>The float layer this island runs.</summary>
    [field: NotAChild]
    public Layer Layer { get; } = layer;

    public ActivationQParams Output => exit.Output;

    public override Tensor Forward(Tensor input) => exit.Forward(Layer.ForwardFloat(enter.Forward(input)));

    protected override string ExtraRepr() => $"{Layer.GetType().Name}, scale={Output.Scale}, zero_point={Output.ZeroPoint}";
}
