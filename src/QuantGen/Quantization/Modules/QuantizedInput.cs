using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>Checks shared by the quantized modules: what they accept, and how they read a tensor's qparams.</summary>
internal static class QuantizedInput
{
    public static ActivationQParams QParams(this Tensor tensor) => new(tensor.QuantScale, tensor.QuantZeroPoint);

    /// <summary>Rejects a float tensor where a quantized one is needed, naming the module and what to do.</summary>
    public static Tensor Require(Tensor input, Module module, string name)
    {
        if (!input.IsQuantized)
        {
            throw new QuantizationException(
                $"{name} ('{module.Path}') was converted to int8 but received a float tensor {input.Shape}: " +
                "quantize the model's input with a QuantStub before it.");
        }
        return input;
    }
}
