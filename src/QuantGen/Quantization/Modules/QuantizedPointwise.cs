using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// A converted <see cref="PointwiseActivation"/> (PyTorch's quantized Hardswish, LeakyReLU, ELU): quint8 in, quint8
/// out with the output qparams calibration observed, each byte mapped through the op's 256-entry table (the table of
/// the last input qparams seen is kept). The output is stored in the input's order.
/// </summary>
public sealed class QuantizedPointwise(PointwiseActivation activation, ActivationQParams output) : Module
{
    private Built<ActivationQParams, byte[]>? last;

    /// <summary>The float layer whose int8 form this is.</summary>
    [field: NotAChild]
    public PointwiseActivation Activation { get; } = activation;

    public ActivationQParams Output { get; } = output;

    /// <summary>The table from bytes under <paramref name="input"/> to bytes under <see cref="Output"/>.</summary>
    public byte[] TableFor(ActivationQParams input) => Activation.Table(input, Output);

    public override Tensor Forward(Tensor input)
    {
        QuantizedInput.Require(input, this, $"Quantized{Activation.GetType().Name}");
        var inputQ = input.QParams();
        if (last is not { } cached || cached.Key != inputQ) last = cached = new(inputQ, TableFor(inputQ));
        var values = GC.AllocateUninitializedArray<byte>(input.Length);
        EagerKernels.Lookup(input.QuantizedStorage, cached.Kernel, values);
        return Tensor.QuantizedLike(input, values, Output.Scale, Output.ZeroPoint);
    }

    protected override string ExtraRepr() => $"{Activation.GetType().Name}, scale={Output.Scale}, zero_point={Output.ZeroPoint}";
}
