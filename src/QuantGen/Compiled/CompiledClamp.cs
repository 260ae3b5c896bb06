using QuantGen.Kernels.Reference;

namespace QuantGen.Compiled;

/// <summary>
/// An unfused ReLU or ReLU6 on quint8 values: a clamp to the bytes of 0 (and 6) under the input's qparams, as
/// eager int8 runs it; the output keeps those qparams.
/// </summary>
public sealed class CompiledClamp
{
    private readonly byte min, max;

    private CompiledClamp(ActivationQParams q, byte min, byte max) => (Output, this.min, this.max) = (q, min, max);

    public ActivationQParams Output { get; }

    public static CompiledClamp Relu(ActivationQParams input) => new(input, Quantize.ToUInt8(0f, input), byte.MaxValue);

    public static CompiledClamp Relu6(ActivationQParams input) => new(input, Quantize.ToUInt8(0f, input), Quantize.ToUInt8(6f, input));

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledClamp Fork() => this;

    public void Forward(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length != output.Length) throw new ShapeMismatchException($"Clamp: the output has {output.Length} values for {input.Length} inputs.");
        for (int i = 0; i < input.Length; i++) output[i] = Math.Clamp(input[i], min, max);
    }
}
