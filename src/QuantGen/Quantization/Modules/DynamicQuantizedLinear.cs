using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// A linear layer with int8 weights whose input is quantized on every call from that batch's own range, float
/// in and float out (PyTorch's dynamic quantized <c>Linear</c>).
/// </summary>
public sealed class DynamicQuantizedLinear : QuantizedWeightLayer
{
    internal DynamicQuantizedLinear(Linear source, sbyte[] weight, WeightQParams weightQParams)
        : base(weight, weightQParams, source.Bias)
    {
        Source = source;
    }

    [field: NotAChild]
    public Linear Source { get; }

    internal override Tensor FloatWeight => Source.Weight;

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 1 || input.Size(-1) != Source.InFeatures) throw new ShapeMismatchException(Describe(), $"[*, {Source.InFeatures}]", input.Shape);
        int rows = input.Length / Source.InFeatures;
        int[] dims = input.Shape.ToArray();
        dims[^1] = Source.OutFeatures;
        var output = new Tensor(new Shape(dims));
        DynamicQLinear.Forward(input.Data, Weight, WeightQParams, Bias, rows, Source.InFeatures, Source.OutFeatures,
            Source.Activation == QuantGen.Kernels.FusedActivation.ReLU, output.Data);
        return output;
    }

    protected override string ExtraRepr() => $"in_features={Source.InFeatures}, out_features={Source.OutFeatures}, dtype=qint8";
}
