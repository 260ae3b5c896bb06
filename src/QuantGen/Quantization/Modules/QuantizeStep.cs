using QuantGen.Compiled;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>Float → quint8 with fixed qparams: a converted QuantStub, and the exit of a float island.</summary>
/// <remarks>Images come out stored channels-last, for the int8 layers after it (as the generated pass's quantize does).</remarks>
public sealed class QuantizeStep(ActivationQParams output) : Module
{
    public ActivationQParams Output { get; } = output;

    public override Tensor Forward(Tensor input)
    {
        if (input.IsQuantized) return input;
        var values = GC.AllocateUninitializedArray<byte>(input.Length);
        if (EagerKernels.Reference || input.Rank != 4)
        {
            if (EagerKernels.Reference) Quantize.Activations(input.Data, Output, values);
            else ChannelsLast.Quantize(input.Data, Output, channels: 1, pixels: input.Length, values);
            return Tensor.FromQuantized(input.Shape, values, Output.Scale, Output.ZeroPoint);
        }
        ChannelsLast.Quantize(input.Data, Output, input.Size(1), input.Size(2) * input.Size(3), values);
        return Tensor.FromChannelsLast(input.Shape, values, Output.Scale, Output.ZeroPoint);
    }

    protected override string ExtraRepr() => $"scale={Output.Scale}, zero_point={Output.ZeroPoint}";
}

/// <summary>
/// quint8 → float: a converted DeQuantStub, and the entry of a float island. The output of a layer kept in float gives
/// its float values back unrounded (<see cref="KeptFloatLayer"/>).
/// </summary>
public sealed class DequantizeStep : Module
{
    public override Tensor Forward(Tensor input)
    {
        if (input.KeptFloat is { } floats) return floats;
        if (!input.IsQuantized) return input;
        var values = GC.AllocateUninitializedArray<float>(input.Length);
        if (input.IsChannelsLast && !EagerKernels.Reference)
        {
            ChannelsLast.Dequantize(input.QuantizedStorage, input.QParams(), input.Size(1), input.PixelsPerChannel, values);
        }
        else
        {
            Dequantize.Activations(input.QuantizedData, input.QParams(), values);
        }
        return new Tensor(input.Shape, values);
    }
}
