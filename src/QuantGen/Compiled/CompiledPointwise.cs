using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>
/// A <see cref="PointwiseActivation"/> in the generated int8 pass: its 256-entry table from input byte to output
/// byte, built once from the input's qparams and the output's — those convert observed (Hardswish, LeakyReLU, ELU)
/// or those PyTorch fixes (Hardsigmoid, Sigmoid, Tanh) — as eager int8 runs it.
/// </summary>
public sealed class CompiledPointwise
{
    private readonly Int8Lookup kernel;

    private CompiledPointwise(byte[] table, ActivationQParams output) => (kernel, Output) = (new Int8Lookup(table), output);

    public ActivationQParams Output { get; }

    /// <exception cref="QuantizationException">The layer at <paramref name="path"/> is not an activation of this kind in its int8 form.</exception>
    public static CompiledPointwise Create<TActivation>(Module model, string path, ActivationQParams input)
        where TActivation : PointwiseActivation
    {
        var layer = CompiledModel.Layer<TActivation>(model, path);
        if (layer.FixedOutput is { } fixedOutput)
        {
            CompiledModel.Unfused<TActivation>(model, path);
            return new(layer.Table(input, fixedOutput), fixedOutput);
        }
        var converted = CompiledModel.Substitute<QuantizedPointwise>(model, path, typeof(TActivation).Name);
        return new(converted.TableFor(input), converted.Output);
    }

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledPointwise Fork() => this;

    public void Forward(ReadOnlySpan<byte> input, Span<byte> output) => kernel.Forward(input, output);
}
