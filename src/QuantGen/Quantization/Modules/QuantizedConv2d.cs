using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// A convolution in int8, as PyTorch's quantized <c>Conv2d</c>/<c>ConvReLU2d</c>: quint8 in and out, qint8
/// weights (per tensor or per output channel), the fused activation as the output clamp.
/// </summary>
/// <remarks>
/// The bias stays in float and is quantized to int32 at s_in·s_w on first use, then whenever the input scale
/// changes — as PyTorch's qnnpack backend does, because in eager mode the input scale is only known once an
/// input arrives.
/// </remarks>
public sealed class QuantizedConv2d : Module
{
    // The int32 bias for the last input scale seen: one reference, so concurrent callers never see a mix.
    private QuantizedBias? quantizedBias;

    internal QuantizedConv2d(Conv2d source, sbyte[] weight, WeightQParams weightQParams, ActivationQParams output)
    {
        Source = source;
        Weight = weight;
        WeightQParams = weightQParams;
        Output = output;
        Bias = source.Bias?.Data.ToArray();
    }

    /// <summary>The float convolution this came from: its shapes, stride, padding, groups and fused activation.</summary>
    [field: NotAChild]
    public Conv2d Source { get; }

    public sbyte[] Weight { get; }

    public WeightQParams WeightQParams { get; }

    public float[]? Bias { get; }

    public ActivationQParams Output { get; }

    public override Tensor Forward(Tensor input)
    {
        QuantizedInput.Require(input, this, "QuantizedConv2d");
        var geometry = Source.GeometryFor(input);
        var values = new byte[geometry.OutputLength];
        QConv2d.Forward(geometry, input.QuantizedData, input.QParams(), Weight, WeightQParams, BiasFor(input.QuantScale),
            Output, Source.Activation, values);
        return Tensor.FromQuantized(new Shape(geometry.Batch, geometry.OutChannels, geometry.OutHeight, geometry.OutWidth),
            values, Output.Scale, Output.ZeroPoint);
    }

    private ReadOnlySpan<int> BiasFor(float inputScale)
    {
        if (Bias is null) return default;
        if (quantizedBias is { } cached && cached.InputScale == inputScale) return cached.Values;
        var values = new int[Bias.Length];
        Quantize.Bias(Bias, inputScale, WeightQParams, values);
        quantizedBias = new QuantizedBias(inputScale, values);
        return values;
    }

    protected override string ExtraRepr() =>
        $"{Source.InChannels}, {Source.OutChannels}, kernel_size=({Source.KernelSize.Height}, {Source.KernelSize.Width}), " +
        $"scale={Output.Scale}, zero_point={Output.ZeroPoint}{(Source.Activation == default ? "" : $", fused={Source.Activation}")}";
}
