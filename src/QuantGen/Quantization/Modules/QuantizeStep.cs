using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>Float → quint8 with fixed qparams: a converted QuantStub, and the exit of a float island.</summary>
public sealed class QuantizeStep(ActivationQParams output) : Module
{
    public ActivationQParams Output { get; } = output;

    public override Tensor Forward(Tensor input)
    {
        if (input.IsQuantized) return input;
        var values = new byte[input.Length];
        Quantize.Activations(input.Data, Output, values);
        return Tensor.FromQuantized(input.Shape, values, Output.Scale, Output.ZeroPoint);
    }

    protected override string ExtraRepr() => $"scale={Output.Scale}, zero_point={Output.ZeroPoint}";
}

/// <summary>quint8 → float: a converted DeQuantStub, and the entry of a float island.</summary>
public sealed class DequantizeStep : Module
{
    public override Tensor Forward(Tensor input)
    {
        if (!input.IsQuantized) return input;
        var values = new float[input.Length];
        Dequantize.Activations(input.QuantizedData, input.QParams(), values);
        return new Tensor(input.Shape, values);
    }
}
