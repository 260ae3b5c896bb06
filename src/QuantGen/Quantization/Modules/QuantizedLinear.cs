using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>A linear layer in int8 (PyTorch's quantized <c>Linear</c>/<c>LinearReLU</c>); bias as in <see cref="QuantizedConv2d"/>.</summary>
public sealed class QuantizedLinear : Module
{
    // The int32 bias for the last input scale seen: one reference, so concurrent callers never see a mix.
    private QuantizedBias? quantizedBias;

    internal QuantizedLinear(Linear source, sbyte[] weight, WeightQParams weightQParams, ActivationQParams output)
    {
        Source = source;
        Weight = weight;
        WeightQParams = weightQParams;
        Output = output;
        Bias = source.Bias?.Data.ToArray();
    }

    [field: NotAChild]
    public Linear Source { get; }

    public sbyte[] Weight { get; }

    public WeightQParams WeightQParams { get; }

    public float[]? Bias { get; }

    public ActivationQParams Output { get; }

    public override Tensor Forward(Tensor input)
    {
        QuantizedInput.Require(input, this, "QuantizedLinear");
        if (input.Rank < 1 || input.Size(-1) != Source.InFeatures) throw new ShapeMismatchException(Describe(), $"[*, {Source.InFeatures}]", input.Shape);
        int rows = input.Length / Source.InFeatures;
        var values = new byte[rows * Source.OutFeatures];
        QLinear.Forward(input.QuantizedData, input.QParams(), Weight, WeightQParams, BiasFor(input.QuantScale),
            rows, Source.InFeatures, Source.OutFeatures, Output, Source.Activation, values);
        int[] dims = input.Shape.ToArray();
        dims[^1] = Source.OutFeatures;
        return Tensor.FromQuantized(new Shape(dims), values, Output.Scale, Output.ZeroPoint);
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
        $"in_features={Source.InFeatures}, out_features={Source.OutFeatures}, scale={Output.Scale}, zero_point={Output.ZeroPoint}";
}
