using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// A transposed convolution in int8, as PyTorch's quantized <c>ConvTranspose2d</c>: quint8 in and out, qint8 weights
/// per tensor (the only kind PyTorch 1.13 runs for a transposed convolution).
/// </summary>
public sealed class QuantizedConvTranspose2d : QuantizedWeightLayer
{
    internal QuantizedConvTranspose2d(ConvTranspose2d source, sbyte[] weight, WeightQParams weightQParams, ActivationQParams output)
        : base(weight, weightQParams, source.Bias)
    {
        Source = source;
        Output = output;
    }

    /// <summary>The float layer this came from: its shapes, stride, padding, output padding, dilation and groups.</summary>
    [field: NotAChild]
    public ConvTranspose2d Source { get; }

    internal override Tensor FloatWeight => Source.Weight;

    public ActivationQParams Output { get; }

    public override Tensor Forward(Tensor input)
    {
        QuantizedInput.Require(input, this, "QuantizedConvTranspose2d");
        var geometry = Source.GeometryFor(input);
        var values = new byte[geometry.OutputLength];
        QConvTranspose2d.Forward(geometry, input.QuantizedData, input.QParams(), Weight, WeightQParams, QuantizedBiasFor(input.QuantScale), Output, values);
        return Tensor.FromQuantized(new Shape(geometry.Batch, geometry.OutChannels, geometry.OutHeight, geometry.OutWidth),
            values, Output.Scale, Output.ZeroPoint);
    }

    protected override string ExtraRepr() =>
        $"{Source.InChannels}, {Source.OutChannels}, kernel_size=({Source.KernelSize.Height}, {Source.KernelSize.Width}), " +
        $"scale={Output.Scale}, zero_point={Output.ZeroPoint}";
}
