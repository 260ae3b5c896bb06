using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>
/// A BatchNorm2d that folds into no convolution (PyTorch's quantized BatchNorm2d, or BNReLU2d), in the generated int8
/// pass on channels-last samples, with α and β computed once for the input scale the generated code knows. Equal bit
/// for bit to eager int8 (<see cref="QBatchNorm2d"/>). Immutable: every fork of a pass shares it.
/// </summary>
public sealed class CompiledBatchNorm2d
{
    private readonly ChannelsLastBatchNorm kernel;

    private CompiledBatchNorm2d(ChannelsLastBatchNorm kernel, ActivationQParams output) => (this.kernel, Output) = (kernel, output);

    public ActivationQParams Output { get; }

    /// <summary>The BatchNorm at <paramref name="path"/> in its int8 form, checked against its channels and the fused activation ([Fuse]).</summary>
    public static CompiledBatchNorm2d Create(Module model, string path, ActivationQParams input, int channels, FusedActivation activation)
    {
        var layer = CompiledModel.Substitute<QuantizedBatchNorm2d>(model, path, "BatchNorm2d");
        CompiledModel.Check(path, "the channels", channels, layer.Source.NumFeatures);
        CompiledModel.Check(path, "the fused activation ([Fuse])", activation, layer.Source.Activation);
        var (alpha, beta) = layer.CoefficientsFor(input.Scale);
        var range = OutputRange.For(activation, layer.Output);
        return new(new ChannelsLastBatchNorm(alpha, beta, input.ZeroPoint, layer.Output.ZeroPoint, range), layer.Output);
    }

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledBatchNorm2d Fork() => this;

    /// <summary>Any whole number of samples, channels-last.</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output) => kernel.Forward(input, output);
}
