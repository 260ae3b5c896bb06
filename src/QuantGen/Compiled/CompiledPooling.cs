using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Compiled;

/// <summary>Max pooling over channels-last (NHWC) quint8 samples; the output keeps the input's qparams.</summary>
public sealed class CompiledMaxPool2d
{
    private readonly PoolGeometry geometry;

    private CompiledMaxPool2d(PoolGeometry geometry, ActivationQParams q) => (this.geometry, Output) = (geometry, q);

    public ActivationQParams Output { get; }

    /// <summary>The pooling at <paramref name="path"/>, checked against <paramref name="geometry"/> (Planes = channels).</summary>
    public static CompiledMaxPool2d Create(Module model, string path, ActivationQParams input, in PoolGeometry geometry)
    {
        var layer = CompiledModel.Unfused<MaxPool2d>(model, path);
        CompiledPool.Check(path, geometry, layer.KernelSize, layer.Stride, layer.Padding, layer.Dilation, layer.CeilMode);
        return new CompiledMaxPool2d(geometry, input);
    }

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledMaxPool2d Fork() => this;

    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, int batch) => ChannelsLastPooling.Max(geometry, batch, input, output);
}

/// <summary>Average pooling over channels-last (NHWC) quint8 samples; the output keeps the input's qparams.</summary>
public sealed class CompiledAvgPool2d
{
    private readonly PoolGeometry geometry;
    private readonly bool countIncludePad;

    private CompiledAvgPool2d(PoolGeometry geometry, bool countIncludePad, ActivationQParams q) =>
        (this.geometry, this.countIncludePad, Output) = (geometry, countIncludePad, q);

    public ActivationQParams Output { get; }

    public static CompiledAvgPool2d Create(Module model, string path, ActivationQParams input, in PoolGeometry geometry, bool countIncludePad)
    {
        var layer = CompiledModel.Unfused<AvgPool2d>(model, path);
        CompiledPool.Check(path, geometry, layer.KernelSize, layer.Stride, layer.Padding, 1, layer.CeilMode);
        CompiledModel.Check(path, "countIncludePad", countIncludePad, layer.CountIncludePad);
        return new CompiledAvgPool2d(geometry, countIncludePad, input);
    }

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledAvgPool2d Fork() => this;

    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, int batch) =>
        ChannelsLastPooling.Average(geometry, countIncludePad, Output, batch, input, output);
}

/// <summary>Adaptive average pooling over channels-last (NHWC) quint8 samples; the output keeps the input's qparams.</summary>
public sealed class CompiledAdaptiveAvgPool2d
{
    private readonly int planes, inHeight, inWidth, outHeight, outWidth;

    private CompiledAdaptiveAvgPool2d(int planes, int inHeight, int inWidth, int outHeight, int outWidth, ActivationQParams q) =>
        (this.planes, this.inHeight, this.inWidth, this.outHeight, this.outWidth, Output) = (planes, inHeight, inWidth, outHeight, outWidth, q);

    public ActivationQParams Output { get; }

    public static CompiledAdaptiveAvgPool2d Create(
        Module model, string path, ActivationQParams input, int planes, int inHeight, int inWidth, int outHeight, int outWidth)
    {
        var layer = CompiledModel.Unfused<AdaptiveAvgPool2d>(model, path);
        CompiledModel.Check(path, "the output size", (outHeight, outWidth), layer.OutputSize);
        return new CompiledAdaptiveAvgPool2d(planes, inHeight, inWidth, outHeight, outWidth, input);
    }

    /// <summary>The pool of a <c>Functional.AdaptiveAvgPool2d(x, size)</c> call in Forward: no module to check.</summary>
    public static CompiledAdaptiveAvgPool2d Functional(ActivationQParams input, int planes, int inHeight, int inWidth, int outHeight, int outWidth) =>
        new(planes, inHeight, inWidth, outHeight, outWidth, input);

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledAdaptiveAvgPool2d Fork() => this;

    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, int batch) =>
        ChannelsLastPooling.AdaptiveAverage(planes, inHeight, inWidth, outHeight, outWidth, Output, batch, input, output);
}

internal static class CompiledPool
{
    public static void Check(string path, in PoolGeometry g, int kernel, int stride, int padding, int dilation, bool ceilMode)
    {
        CompiledModel.Check(path, "the kernel size", (g.KernelHeight, g.KernelWidth), (kernel, kernel));
        CompiledModel.Check(path, "the stride", (g.StrideHeight, g.StrideWidth), (stride, stride));
        CompiledModel.Check(path, "the padding", (g.PadHeight, g.PadWidth), (padding, padding));
        CompiledModel.Check(path, "the dilation", (g.DilationHeight, g.DilationWidth), (dilation, dilation));
        CompiledModel.Check(path, "ceilMode", g.CeilMode, ceilMode);
    }
}
