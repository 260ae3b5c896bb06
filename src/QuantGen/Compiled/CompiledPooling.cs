using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Compiled;

/// <summary>
/// Max pooling over channels-last (NHWC) quint8 samples — a MaxPool2d's, or a MaxPool1d's over one row — ; the output
/// keeps the input's qparams.
/// </summary>
public sealed class CompiledMaxPool2d
{
    private readonly PoolGeometry geometry;

    private CompiledMaxPool2d(PoolGeometry geometry, ActivationQParams q) => (this.geometry, Output) = (geometry, q);

    public ActivationQParams Output { get; }

    /// <summary>The pooling at <paramref name="path"/>, checked against <paramref name="geometry"/> (Planes = channels).</summary>
    public static CompiledMaxPool2d Create(Module model, string path, ActivationQParams input, in PoolGeometry geometry)
    {
        CompiledPool.CheckMax(model, path, geometry);
        return new CompiledMaxPool2d(geometry, input);
    }

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledMaxPool2d Fork() => this;

    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, int batch) => ChannelsLastPooling.Max(geometry, batch, input, output);
}

/// <summary>Average pooling over channels-last (NHWC) quint8 samples (an AvgPool2d's, or an AvgPool1d's over one row); the output keeps the input's qparams.</summary>
public sealed class CompiledAvgPool2d
{
    private readonly PoolGeometry geometry;
    private readonly bool countIncludePad;

    private CompiledAvgPool2d(PoolGeometry geometry, bool countIncludePad, ActivationQParams q) =>
        (this.geometry, this.countIncludePad, Output) = (geometry, countIncludePad, q);

    public ActivationQParams Output { get; }

    public static CompiledAvgPool2d Create(Module model, string path, ActivationQParams input, in PoolGeometry geometry, bool countIncludePad)
    {
        CompiledPool.CheckAverage(model, path, geometry, countIncludePad);
        return new CompiledAvgPool2d(geometry, countIncludePad, input);
    }

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledAvgPool2d Fork() => this;

    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, int batch) =>
        ChannelsLastPooling.Average(geometry, countIncludePad, Output, batch, input, output);
}

/// <summary>Adaptive average pooling over channels-last (NHWC) quint8 samples (an AdaptiveAvgPool2d's, or an AdaptiveAvgPool1d's over one row); the output keeps the input's qparams.</summary>
public sealed class CompiledAdaptiveAvgPool2d
{
    private readonly int planes, inHeight, inWidth, outHeight, outWidth;

    private CompiledAdaptiveAvgPool2d(int planes, int inHeight, int inWidth, int outHeight, int outWidth, ActivationQParams q) =>
        (this.planes, this.inHeight, this.inWidth, this.outHeight, this.outWidth, Output) = (planes, inHeight, inWidth, outHeight, outWidth, q);

    public ActivationQParams Output { get; }

    public static CompiledAdaptiveAvgPool2d Create(
        Module model, string path, ActivationQParams input, int planes, int inHeight, int inWidth, int outHeight, int outWidth)
    {
        var outputSize = CompiledModel.Unfused<Layer>(model, path) switch
        {
            AdaptiveAvgPool1d row => (1, row.OutputSize),
            _ => CompiledModel.Layer<AdaptiveAvgPool2d>(model, path).OutputSize,
        };
        CompiledModel.Check(path, "the output size", (outHeight, outWidth), outputSize);
        return new CompiledAdaptiveAvgPool2d(planes, inHeight, inWidth, outHeight, outWidth, input);
    }

    /// <summary>The pool of a <c>Functional.AdaptiveAvgPool2d</c> (or <c>1d</c>) call in Forward: no module to check.</summary>
    public static CompiledAdaptiveAvgPool2d Functional(ActivationQParams input, int planes, int inHeight, int inWidth, int outHeight, int outWidth) =>
        new(planes, inHeight, inWidth, outHeight, outWidth, input);

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledAdaptiveAvgPool2d Fork() => this;

    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, int batch) =>
        ChannelsLastPooling.AdaptiveAverage(planes, inHeight, inWidth, outHeight, outWidth, Output, batch, input, output);
}

internal static class CompiledPool
{
    /// <summary>Checks the MaxPool2d, or MaxPool1d over one row, at <paramref name="path"/> against the geometry.</summary>
    public static void CheckMax(Module model, string path, in PoolGeometry geometry)
    {
        if (CompiledModel.Unfused<Layer>(model, path) is MaxPool1d row)
        {
            CheckRow(path, geometry, row.KernelSize, row.Stride, row.Padding, row.Dilation, row.CeilMode);
        }
        else
        {
            var pool = CompiledModel.Layer<MaxPool2d>(model, path);
            Check(path, geometry, pool.KernelSize, pool.Stride, pool.Padding, pool.Dilation, pool.CeilMode);
        }
    }

    /// <summary>Checks the AvgPool2d, or AvgPool1d over one row, at <paramref name="path"/> against the geometry and <paramref name="countIncludePad"/>.</summary>
    public static void CheckAverage(Module model, string path, in PoolGeometry geometry, bool countIncludePad)
    {
        bool layerCountsPadding;
        if (CompiledModel.Unfused<Layer>(model, path) is AvgPool1d row)
        {
            CheckRow(path, geometry, row.KernelSize, row.Stride, row.Padding, 1, row.CeilMode);
            layerCountsPadding = row.CountIncludePad;
        }
        else
        {
            var pool = CompiledModel.Layer<AvgPool2d>(model, path);
            Check(path, geometry, pool.KernelSize, pool.Stride, pool.Padding, 1, pool.CeilMode);
            layerCountsPadding = pool.CountIncludePad;
        }

        CompiledModel.Check(path, "countIncludePad", countIncludePad, layerCountsPadding);
    }

    /// <summary>Checks a 2-D pool's square window against the geometry.</summary>
    public static void Check(string path, in PoolGeometry g, int kernel, int stride, int padding, int dilation, bool ceilMode) =>
        Check(path, g, (kernel, kernel), (stride, stride), (padding, padding), (dilation, dilation), ceilMode);

    /// <summary>Checks a 1-D pool's 1 × k window over one row against the geometry.</summary>
    public static void CheckRow(string path, in PoolGeometry g, int kernel, int stride, int padding, int dilation, bool ceilMode) =>
        Check(path, g, (1, kernel), (1, stride), (0, padding), (1, dilation), ceilMode);

    private static void Check(string path, in PoolGeometry g, (int, int) kernel, (int, int) stride, (int, int) padding, (int, int) dilation, bool ceilMode)
    {
        CompiledModel.Check(path, "the kernel size", (g.KernelHeight, g.KernelWidth), kernel);
        CompiledModel.Check(path, "the stride", (g.StrideHeight, g.StrideWidth), stride);
        CompiledModel.Check(path, "the padding", (g.PadHeight, g.PadWidth), padding);
        CompiledModel.Check(path, "the dilation", (g.DilationHeight, g.DilationWidth), dilation);
        CompiledModel.Check(path, "ceilMode", g.CeilMode, ceilMode);
    }
}
