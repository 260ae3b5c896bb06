using QuantGen.Kernels;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>
/// One converted convolution, ready for a generated forward pass: its qint8 weights, its bias in int32 at
/// <c>s_in·s_w</c> (quantized once, here, for the input scale the generated code knows), its qparams and the
/// geometry of one sample, fixed at compile time. Runs the reference kernel today; SIMD kernels prepack here.
/// </summary>
public sealed class CompiledConv2d
{
    private readonly ConvGeometry geometry;
    private readonly sbyte[] weight;
    private readonly WeightQParams weightQ;
    private readonly int[] bias;
    private readonly ActivationQParams inputQ;
    private readonly FusedActivation activation;

    private CompiledConv2d(ConvGeometry geometry, QuantizedConv2d layer, ActivationQParams inputQ, FusedActivation activation)
    {
        this.geometry = geometry;
        weight = layer.Weight;
        weightQ = layer.WeightQParams;
        this.inputQ = inputQ;
        this.activation = activation;
        Output = layer.Output;
        bias = CompiledBias.For(layer.Bias, inputQ, weightQ);
    }

    /// <summary>The output's qparams.</summary>
    public ActivationQParams Output { get; }

    /// <summary>
    /// The int8 form of the convolution at <paramref name="path"/>, checked against the <paramref name="geometry"/>
    /// (batch 1) and fused <paramref name="activation"/> the generated code was compiled for.
    /// </summary>
    public static CompiledConv2d Create(Module model, string path, ActivationQParams input, in ConvGeometry geometry, FusedActivation activation)
    {
        var layer = CompiledModel.Substitute<QuantizedConv2d>(model, path, "Conv2d");
        Conv2d source = layer.Source;
        CompiledModel.Check(path, "the input channels", geometry.InChannels, source.InChannels);
        CompiledModel.Check(path, "the output channels", geometry.OutChannels, source.OutChannels);
        CompiledModel.Check(path, "the kernel size", (geometry.KernelHeight, geometry.KernelWidth), source.KernelSize);
        CompiledModel.Check(path, "the stride", (geometry.StrideHeight, geometry.StrideWidth), source.Stride);
        CompiledModel.Check(path, "the padding", (geometry.PadHeight, geometry.PadWidth), source.Padding);
        CompiledModel.Check(path, "the dilation", (geometry.DilationHeight, geometry.DilationWidth), source.Dilation);
        CompiledModel.Check(path, "the groups", geometry.Groups, source.Groups);
        CompiledModel.Check(path, "the fused activation ([Fuse])", activation, source.Activation);
        return new CompiledConv2d(geometry, layer, input, activation);
    }

    /// <summary>One sample: quint8 [Cin, H, W] → quint8 [Cout, OH, OW].</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output) =>
        QConv2d.Forward(geometry, input, inputQ, weight, weightQ, bias, Output, activation, output);
}
