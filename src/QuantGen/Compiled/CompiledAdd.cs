using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>
/// A converted <see cref="Add"/> module, or a <see cref="FloatFunctional"/>'s Add or AddRelu of equal shapes: both
/// inputs requantized to the output's scale (qnnpack's fixed-point add), ReLU as its clamp.
/// </summary>
public sealed class CompiledAdd
{
    private readonly Int8Add kernel;

    private CompiledAdd(ActivationQParams aQ, ActivationQParams bQ, ActivationQParams output, FusedActivation activation = FusedActivation.None) =>
        (kernel, Output) = (new Int8Add(aQ, bQ, output, activation), output);

    public ActivationQParams Output { get; }

    /// <exception cref="QuantizationException">The layer is not a converted add, or its scales are out of the kernel's range.</exception>
    public static CompiledAdd Create(Module model, string path, ActivationQParams a, ActivationQParams b)
    {
        var output = CompiledModel.Substitute<QuantizedAdd>(model, path, "Add").Output;
        QuantizedAdd.RequireSupportedScales(path, a, b, output);
        return new(a, b, output);
    }

    /// <summary>A FloatFunctional's Add (<paramref name="activation"/> None) or AddRelu (ReLU) of two inputs of one shape.</summary>
    /// <exception cref="QuantizationException">The layer is not a converted FloatFunctional that calibration reached, or its scales are out of the kernel's range.</exception>
    public static CompiledAdd CreateFunctional(Module model, string path, ActivationQParams a, ActivationQParams b, FusedActivation activation)
    {
        var output = CompiledFunctional.Output(model, path);
        QuantizedAdd.RequireSupportedScales(path, a, b, output);
        return new(a, b, output, activation);
    }

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledAdd Fork() => this;

    public void Forward(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output) => kernel.Forward(a, b, output);
}
