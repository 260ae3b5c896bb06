using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// A layer the user kept in float (<see cref="EagerQuantization.Prepare"/>'s <c>keepFloat</c>) inside a converted
/// model. It runs the layer's float forward on float values: the exact floats of a kept layer before it, else its quint8
/// input dequantized. Its output is quantized with the range observed at it during calibration for the layers that run
/// in int8, and carries the float values along, so that a kept layer, a pass-through (Dropout, a fused-away layer) and
/// the final dequantize see the float result unrounded: float logits stay float.
/// </summary>
public sealed class KeptFloatLayer(Layer layer, ActivationQParams output) : Module, IBinaryModule
{
    private readonly DequantizeStep enter = new();
    private readonly QuantizeStep exit = new(output);

    /// <summary>The float layer this runs.</summary>
    [field: NotAChild]
    public Layer Layer { get; } = layer;

    /// <summary>The qparams its output is quantized with for the int8 layers that read it.</summary>
    public ActivationQParams Output => exit.Output;

    public override Tensor Forward(Tensor input) => Exit(Layer.ForwardFloat(Enter(input)));

    /// <summary>A kept residual <see cref="Add"/>: both inputs in float, added in float.</summary>
    public Tensor Forward(Tensor a, Tensor b) => Exit(Functional.Add(Enter(a), Enter(b)));

    /// <summary>The float values behind <paramref name="input"/>.</summary>
    internal Tensor Enter(Tensor input) => input.KeptFloat ?? enter.Forward(input);

    private Tensor Exit(Tensor floats) => Tensor.WithKeptFloat(exit.Forward(floats), floats);

    protected override string ExtraRepr() => $"{Layer.GetType().Name} in float, output scale={Output.Scale}, zero_point={Output.ZeroPoint}";
}
