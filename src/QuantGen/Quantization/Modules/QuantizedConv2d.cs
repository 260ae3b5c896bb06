using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// A convolution in int8, as PyTorch's quantized <c>Conv2d</c>/<c>ConvReLU2d</c> (and <c>Conv1d</c>/<c>ConvReLU1d</c>,
/// which PyTorch runs as the 2-D kernel over one row): quint8 in and out, qint8 weights (per tensor or per output
/// channel), the fused activation as the output clamp.
/// </summary>
public sealed class QuantizedConv2d : QuantizedWeightLayer
{
    internal QuantizedConv2d(Conv2d source, sbyte[] weight, WeightQParams weightQParams, ActivationQParams output)
        : base(weight, weightQParams, source.Bias)
    {
        Source = source;
        Output = output;
    }

    /// <summary>The float convolution this came from: its shapes, stride, padding, groups and fused activation.</summary>
    [field: NotAChild]
    public Conv2d Source { get; }

    public ActivationQParams Output { get; }

    public override Tensor Forward(Tensor input)
    {
        QuantizedInput.Require(input, this, "QuantizedConv2d");
        var geometry = Source.GeometryFor(input);
        var values = new byte[geometry.OutputLength];
        QConv2d.Forward(geometry, input.QuantizedData, input.QParams(), Weight, WeightQParams, QuantizedBiasFor(input.QuantScale),
            Output, Source.Activation, values);
        return Tensor.FromQuantized(Source.OutputShape(geometry), values, Output.Scale, Output.ZeroPoint);
    }


    protected override string ExtraRepr() =>
        $"{Source.InChannels}, {Source.OutChannels}, kernel_size=({Source.KernelSize.Height}, {Source.KernelSize.Width}), " +
        $"scale={Output.Scale}, zero_point={Output.ZeroPoint}{(Source.Activation == default ? "" : $", fused={Source.Activation}")}";
}
