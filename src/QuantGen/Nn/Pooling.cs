using QuantGen.Kernels;

namespace QuantGen.Nn;

/// <summary>Max over each window, as PyTorch's <c>MaxPool2d</c> (stride defaults to the kernel size).</summary>
public sealed class MaxPool2d : Layer
{
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        if (kernelSize <= 0 || stride is <= 0 || dilation <= 0 || padding < 0 || padding * 2 > kernelSize)
        {
            throw new ArgumentException(
                $"MaxPool2d: kernel_size={kernelSize}, stride={stride}, padding={padding}, dilation={dilation} is invalid (padding must be at most half the kernel).");
        }
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

    protected override Tensor FloatForward(Tensor input) => Functional.MaxPool2d(input, this.Window(input, KernelSize, Stride, Padding, Dilation, CeilMode));

    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}, ceil_mode={CeilMode}";
}

/// <summary>Mean over each window, as PyTorch's <c>AvgPool2d</c>.</summary>
public sealed class AvgPool2d : Layer
{
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        if (kernelSize <= 0 || stride is <= 0 || padding < 0 || padding * 2 > kernelSize)
        {
            throw new ArgumentException($"AvgPool2d: kernel_size={kernelSize}, stride={stride}, padding={padding} is invalid (padding must be at most half the kernel).");
        }
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

    protected override Tensor FloatForward(Tensor input) =>
        Functional.AvgPool2d(input, this.Window(input, KernelSize, Stride, Padding, 1, CeilMode), CountIncludePad);

    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";
}

/// <summary>Averages each plane down to a fixed size, as PyTorch's <c>AdaptiveAvgPool2d</c>.</summary>
public sealed class AdaptiveAvgPool2d : Layer
{
    public AdaptiveAvgPool2d(int outputSize) : this((outputSize, outputSize)) { }

    public AdaptiveAvgPool2d((int Height, int Width) outputSize)
    {
        if (outputSize.Height <= 0 || outputSize.Width <= 0) throw new ArgumentException($"AdaptiveAvgPool2d: output_size must be positive, got {outputSize}.");
        OutputSize = outputSize;
    }

    public (int Height, int Width) OutputSize { get; }

    protected override Tensor FloatForward(Tensor input)
    {
        if (input.Rank != 4) throw InputShapeError("[N, C, H, W]", input);
        return Functional.AdaptiveAvgPool2d(input, OutputSize.Height, OutputSize.Width);
    }

    protected override string ExtraRepr() => $"output_size=({OutputSize.Height}, {OutputSize.Width})";
}

/// <summary>Flattens dimensions from <see cref="StartDim"/> on (storage shared), as <c>nn.Flatten()</c>.</summary>
public sealed class Flatten(int startDim = 1) : Layer
{
    public int StartDim { get; } = startDim;

    protected override Tensor FloatForward(Tensor input)
    {
        int start = StartDim < 0 ? StartDim + input.Rank : StartDim;
        if (start < 0 || start >= input.Rank) throw InputShapeError($"a tensor with more than {StartDim} dimensions", input);
        return Functional.Flatten(input, StartDim);
    }

    protected override string ExtraRepr() => $"start_dim={StartDim}";
}

internal static class PoolingModules
{
    /// <summary>The window a pooling module slides over <paramref name="input"/>, after checking its shape.</summary>
    public static PoolGeometry Window(this Module module, Tensor input, int kernel, int stride, int padding, int dilation, bool ceilMode)
    {
        if (input.Rank != 4)
        {
            throw new ShapeMismatchException(module.ToString(), "[N, C, H, W]", input.Shape);
        }
        var window = new PoolGeometry(input.Size(0) * input.Size(1), input.Size(2), input.Size(3), kernel, kernel, stride, stride, padding, padding, dilation, dilation, ceilMode);
        if (window.OutHeight <= 0 || window.OutWidth <= 0)
        {
            throw new ShapeMismatchException(module.ToString(), $"[N, C, H, W] with H and W at least {dilation * (kernel - 1) + 1 - 2 * padding}", input.Shape);
        }
        return window;
    }
}
