using QuantGen.Kernels;

namespace QuantGen.Nn;

/// <summary>
/// Max over each window of [N, C, L] input, as PyTorch's <c>MaxPool1d</c> (stride defaults to the kernel size). It
/// is <see cref="MaxPool2d"/>'s kernel over a 1 × k window of the input seen as [N, C, 1, L], as PyTorch runs
/// <c>max_pool1d</c> on a quantized tensor; on quint8 it keeps the input's qparams.
/// </summary>
public sealed class MaxPool1d : Layer
{
    public MaxPool1d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        Pooling1d.Require(this, kernelSize, stride, padding, dilation);
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        Dilation = dilation;
        CeilMode = ceilMode;
    }

    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Dilation { get; }
    public bool CeilMode { get; }

    protected override Tensor FloatForward(Tensor input)
    {
        var window = this.Window1d(input, KernelSize, Stride, Padding, Dilation, CeilMode);
        return Pooling1d.Unrow(Functional.MaxPool2d(Pooling1d.Row(input), window));
    }

    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}, ceil_mode={CeilMode}";
}

/// <summary>Mean over each window of [N, C, L] input, as PyTorch's <c>AvgPool1d</c>: <see cref="AvgPool2d"/>'s kernel over a 1 × k window.</summary>
public sealed class AvgPool1d : Layer
{
    public AvgPool1d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        Pooling1d.Require(this, kernelSize, stride, padding, dilation: 1);
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
    }

    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public bool CeilMode { get; }
    public bool CountIncludePad { get; }

    protected override Tensor FloatForward(Tensor input)
    {
        var window = this.Window1d(input, KernelSize, Stride, Padding, 1, CeilMode);
        return Pooling1d.Unrow(Functional.AvgPool2d(Pooling1d.Row(input), window, CountIncludePad));
    }

    protected override string ExtraRepr() => $"kernel_size=({KernelSize},), stride=({Stride},), padding=({Padding},)";
}

/// <summary>Averages each channel of [N, C, L] input down to a fixed length, as PyTorch's <c>AdaptiveAvgPool1d</c> (an H = 1 <see cref="AdaptiveAvgPool2d"/>).</summary>
public sealed class AdaptiveAvgPool1d : Layer
{
    public AdaptiveAvgPool1d(int outputSize)
    {
        if (outputSize <= 0) throw new ArgumentException($"AdaptiveAvgPool1d: output_size must be positive, got {outputSize}.");
        OutputSize = outputSize;
    }

    public int OutputSize { get; }

    protected override Tensor FloatForward(Tensor input)
    {
        if (input.Rank != 3) throw InputShapeError("[N, C, L]", input);
        return Functional.AdaptiveAvgPool1d(input, OutputSize);
    }

    protected override string ExtraRepr() => $"output_size={OutputSize}";
}

/// <summary>What the 1-D pools share: [N, C, L] seen as one row, [N, C, 1, L], and back.</summary>
internal static class Pooling1d
{
    public static void Require(Layer pool, int kernel, int? stride, int padding, int dilation)
    {
        if (kernel <= 0 || stride is <= 0 || dilation <= 0 || padding < 0 || padding * 2 > kernel)
        {
            throw new ArgumentException(
                $"{pool.GetType().Name}: kernel_size={kernel}, stride={stride}, padding={padding}, dilation={dilation} is invalid (padding must be at most half the kernel).");
        }
    }

    /// <summary>The 1 × k window a 1-D pool slides over <paramref name="input"/> [N, C, L], after checking its shape.</summary>
    public static PoolGeometry Window1d(this Layer pool, Tensor input, int kernel, int stride, int padding, int dilation, bool ceilMode)
    {
        if (input.Rank != 3) throw new ShapeMismatchException(pool.ToString(), "[N, C, L]", input.Shape);
        var window = new PoolGeometry(input.Size(0) * input.Size(1), 1, input.Size(2), 1, kernel, 1, stride, 0, padding, 1, dilation, ceilMode);
        if (window.OutWidth <= 0)
        {
            throw new ShapeMismatchException(pool.ToString(), $"[N, C, L] with L at least {dilation * (kernel - 1) + 1 - 2 * padding}", input.Shape);
        }
        return window;
    }

    public static Tensor Row(Tensor input) => input.Reshape(input.Size(0), input.Size(1), 1, input.Size(2));

    public static Tensor Unrow(Tensor output) => output.Reshape(output.Size(0), output.Size(1), output.Size(3));
}
