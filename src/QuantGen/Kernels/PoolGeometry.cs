namespace QuantGen.Kernels;

/// <summary>
/// A 2-D pooling window over NCHW planes, with PyTorch's output-size rule (including <c>ceil_mode</c>,
/// where the last window must start inside the input or its left padding).
/// </summary>
public readonly record struct PoolGeometry(
    int Planes,
    int InHeight,
    int InWidth,
    int KernelHeight,
    int KernelWidth,
    int StrideHeight,
    int StrideWidth,
    int PadHeight = 0,
    int PadWidth = 0,
    int DilationHeight = 1,
    int DilationWidth = 1,
    bool CeilMode = false)
{
    public int OutHeight => OutputSize(InHeight, KernelHeight, StrideHeight, PadHeight, DilationHeight, CeilMode);

    public int OutWidth => OutputSize(InWidth, KernelWidth, StrideWidth, PadWidth, DilationWidth, CeilMode);

    /// <summary>
    /// The input row that tap <paramref name="ky"/> of output row <paramref name="i"/> reads, or −1 in the padding;
    /// with <paramref name="clampToBorder"/> (qnnpack's dilated max pool) the nearest border row instead.
    /// </summary>
    internal int TapRow(int i, int ky, bool clampToBorder) =>
        Tap(i * StrideHeight - PadHeight + ky * DilationHeight, InHeight, clampToBorder);

    /// <summary>The input column of tap <paramref name="kx"/> of output column <paramref name="j"/>, as <see cref="TapRow"/>.</summary>
    internal int TapColumn(int j, int kx, bool clampToBorder) =>
        Tap(j * StrideWidth - PadWidth + kx * DilationWidth, InWidth, clampToBorder);

    private static int Tap(int index, int size, bool clampToBorder) =>
        clampToBorder ? Math.Clamp(index, 0, size - 1) : (uint)index < (uint)size ? index : -1;

    private static int OutputSize(int size, int kernel, int stride, int pad, int dilation, bool ceil)
    {
        int span = size + 2 * pad - dilation * (kernel - 1) - 1 + (ceil ? stride - 1 : 0);
        int output = FloorDiv(span, stride) + 1;
        if (ceil && (output - 1) * stride >= size + pad) output--;
        return output;
    }

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}
