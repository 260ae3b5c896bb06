using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>
/// One converted convolution, ready for a generated forward pass: an <see cref="Int8Conv2d"/> on channels-last
/// (NHWC) samples, packed at convert for this machine's fastest path, with the bias in int32 at <c>s_in·s_w</c>
/// quantized once for the input scale the generated code knows. A grouped convolution the kernel does not take as
/// one runs group by group (<see cref="GroupedInt8Conv2d"/>). Equal bit for bit to eager int8 (the reference).
/// </summary>
public sealed class CompiledConv2d
{
    private readonly Int8Conv2d? kernel;
    private readonly GroupedInt8Conv2d? grouped;

    private CompiledConv2d(in ConvGeometry geometry, QuantizedConv2d layer, ActivationQParams inputQ, FusedActivation activation)
    {
        Output = layer.Output;
        int[] bias = CompiledBias.For(layer.Bias, inputQ, layer.WeightQParams);
        if (GroupedInt8Conv2d.IsNeeded(geometry)) grouped = new GroupedInt8Conv2d(geometry, layer.Weight, layer.WeightQParams, bias, inputQ, Output, activation);
        else kernel = new Int8Conv2d(geometry, layer.Weight, layer.WeightQParams, bias, inputQ, Output, activation);
    }

    private CompiledConv2d(CompiledConv2d source) =>
        (kernel, grouped, Output) = (source.kernel?.Fork(), source.grouped?.Fork(), source.Output);

    /// <summary>The output's qparams.</summary>
    public ActivationQParams Output { get; }

    /// <summary>How the kernel computes (pointwise GEMM, depthwise, im2col GEMM; a grouped convolution, each group).</summary>
    public Int8ConvAlgorithm Algorithm => kernel?.Algorithm ?? grouped!.Algorithm;

    /// <summary>
    /// The int8 form of the convolution at <paramref name="path"/>, checked against the <paramref name="geometry"/>
    /// and fused <paramref name="activation"/> the generated code was compiled for; <see cref="ConvGeometry.Batch"/> is
    /// the most samples one call runs.
    /// </summary>
    public static CompiledConv2d Create(Module model, string path, ActivationQParams input, in ConvGeometry geometry, FusedActivation activation)
    {
        var layer = CompiledModel.Substitute<QuantizedConv2d>(model, path, "Conv2d");
        CompiledModel.CheckConv(path, geometry, layer.Source);
        CompiledModel.Check(path, "the fused activation ([Fuse])", activation, layer.Source.Activation);
        return For(layer, input, geometry);
    }

    /// <summary>
    /// <paramref name="layer"/>'s int8 form for inputs of <paramref name="geometry"/> under <paramref name="input"/>'s
    /// qparams: what an eager call builds for the input it sees (<see cref="Int8Conv2d.Supports"/> must hold).
    /// </summary>
    internal static CompiledConv2d For(QuantizedConv2d layer, ActivationQParams input, in ConvGeometry geometry) =>
        new(geometry, layer, input, layer.Source.Activation);

    /// <summary>The same packed weights with scratch of its own (<see cref="Int8Conv2d.Fork"/>), for another thread.</summary>
    public CompiledConv2d Fork() => new(this);

    /// <summary><paramref name="batch"/> samples: quint8 [batch, H, W, Cin] → quint8 [batch, OH, OW, Cout] (NHWC).</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, int batch)
    {
        if (kernel is not null) kernel.Forward(input, output, batch);
        else grouped!.Forward(input, output, batch);
    }
}
