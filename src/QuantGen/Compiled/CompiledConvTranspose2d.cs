using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>
/// One converted transposed convolution, ready for a generated forward pass: an <see cref="Int8ConvTranspose2d"/> on
/// channels-last (NHWC) samples, its weights packed and its bias quantized once for the input scale the generated code
/// knows. Equal bit for bit to eager int8 (<see cref="QConvTranspose2d"/>). One instance runs one call at a time.
/// </summary>
public sealed class CompiledConvTranspose2d
{
    private readonly Int8ConvTranspose2d kernel;

    private CompiledConvTranspose2d(Int8ConvTranspose2d kernel, ActivationQParams output) => (this.kernel, Output) = (kernel, output);

    public ActivationQParams Output { get; }

    /// <summary>
    /// The int8 form of the transposed convolution at <paramref name="path"/>, checked against the
    /// <paramref name="geometry"/> the generated code was compiled for (its batch is the most samples one call runs).
    /// </summary>
    public static CompiledConvTranspose2d Create(Module model, string path, ActivationQParams input, in ConvTransposeGeometry geometry)
    {
        var layer = CompiledModel.Substitute<QuantizedConvTranspose2d>(model, path, "ConvTranspose2d");
        CheckGeometry(path, geometry, layer.Source);
        int[] bias = CompiledBias.For(layer.Bias, input, layer.WeightQParams);
        return new(new Int8ConvTranspose2d(geometry, layer.Weight, layer.WeightQParams, bias, input, layer.Output), layer.Output);
    }

    /// <summary>Checks the module's arguments against the geometry the generated code was compiled for.</summary>
    internal static void CheckGeometry(string path, in ConvTransposeGeometry geometry, ConvTranspose2d source)
    {
        CompiledModel.Check(path, "the input channels", geometry.InChannels, source.InChannels);
        CompiledModel.Check(path, "the output channels", geometry.OutChannels, source.OutChannels);
        CompiledModel.Check(path, "the kernel size", (geometry.KernelHeight, geometry.KernelWidth), source.KernelSize);
        CompiledModel.Check(path, "the stride", (geometry.StrideHeight, geometry.StrideWidth), source.Stride);
        CompiledModel.Check(path, "the padding", (geometry.PadHeight, geometry.PadWidth), source.Padding);
        CompiledModel.Check(path, "the output padding", (geometry.OutputPadHeight, geometry.OutputPadWidth), source.OutputPadding);
        CompiledModel.Check(path, "the dilation", (geometry.DilationHeight, geometry.DilationWidth), source.Dilation);
        CompiledModel.Check(path, "the groups", geometry.Groups, source.Groups);
    }

    /// <summary>The same packed weights with scratch of its own, for another thread.</summary>
    public CompiledConvTranspose2d Fork() => new(kernel.Fork(), Output);

    /// <summary><paramref name="batch"/> samples: quint8 [batch, H, W, Cin] → quint8 [batch, OH, OW, Cout] (NHWC).</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, int batch) => kernel.Forward(input, output, batch);
}
