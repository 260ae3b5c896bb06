using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>A linear layer in int8 (PyTorch's quantized <c>Linear</c>/<c>LinearReLU</c>).</summary>
public sealed class QuantizedLinear : QuantizedWeightLayer
{
    internal QuantizedLinear(Linear source, sbyte[] weight, WeightQParams weightQParams, ActivationQParams output)
        : base(weight, weightQParams, source.Bias)
    {
        Source = source;
        Output = output;
    }

    [field: NotAChild]
    public Linear Source { get; }

    public ActivationQParams Output { get; }

    public override Tensor Forward(Tensor input)
    {
        QuantizedInput.Require(input, this, "QuantizedLinear");
        if (input.Rank < 1 || input.Size(-1) != Source.InFeatures) throw new ShapeMismatchException(Describe(), $"[*, {Source.InFeatures}]", input.Shape);
        int rows = input.Length / Source.InFeatures;
        var values = new byte[rows * Source.OutFeatures];
        QLinear.Forward(input.QuantizedData, input.QParams(), Weight, WeightQParams, QuantizedBiasFor(input.QuantScale),
            rows, Source.InFeatures, Source.OutFeatures, Output, Source.Activation, values);
        int[] dims = input.Shape.ToArray();
        dims[^1] = Source.OutFeatures;
        return Tensor.FromQuantized(new Shape(dims), values, Output.Scale, Output.ZeroPoint);
    }


    protected override string ExtraRepr() =>
        $"in_features={Source.InFeatures}, out_features={Source.OutFeatures}, scale={Output.Scale}, zero_point={Output.ZeroPoint}";
}
