using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>A residual add in int8: both inputs requantized to the output's scale, as PyTorch's quantized add.</summary>
public sealed class QuantizedAdd(ActivationQParams output) : Module, IBinaryModule
{
    public ActivationQParams Output { get; } = output;

    public Tensor Forward(Tensor a, Tensor b)
    {
        QuantizedInput.Require(a, this, "QuantizedAdd");
        QuantizedInput.Require(b, this, "QuantizedAdd");
        var values = new byte[a.Length];
        QAdd.Forward(a.QuantizedData, a.QParams(), b.QuantizedData, b.QParams(), Output, default, values);
        return Tensor.FromQuantized(a.Shape, values, Output.Scale, Output.ZeroPoint);
    }

    protected override string ExtraRepr() => $"scale={Output.Scale}, zero_point={Output.ZeroPoint}";
}
