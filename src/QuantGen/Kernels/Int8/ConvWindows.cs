namespace QuantGen.Kernels.Int8;

/// <summary>
/// Where a convolution's windows lie on its input, for the direct kernels: the output pixels whose every tap is
/// inside the image (they read fixed offsets from their window's first tap) and, for the others, each tap's row and
/// column. The output sizes are computed properties of <see cref="ConvGeometry"/> (a division each), read once here.
/// </summary>
internal readonly unsafe struct ConvWindows
{
    private readonly ConvGeometry g;
    private readonly int rowLow, rowHigh, columnLow, columnHigh;

    public ConvWindows(in ConvGeometry geometry)
    {
        g = geometry;
        OutHeight = g.OutHeight;
        OutWidth = g.OutWidth;
        (rowLow, rowHigh) = Inside(g.InHeight, OutHeight, g.KernelHeight, g.StrideHeight, g.PadHeight, g.DilationHeight);
        (columnLow, columnHigh) = Inside(g.InWidth, OutWidth, g.KernelWidth, g.StrideWidth, g.PadWidth, g.DilationWidth);
    }

    public int OutHeight { get; }

    public int OutWidth { get; }

    public bool RowInside(int oy) => oy >= rowLow && oy < rowHigh;

    public bool ColumnInside(int ox) => ox >= columnLow && ox < columnHigh;

    /// <summary>The first tap of output pixel (oy, ox)'s window, inside or not.</summary>
    public byte* Corner(byte* image, int oy, int ox) =>
        image + ((long)(oy * g.StrideHeight - g.PadHeight) * g.InWidth + ox * g.StrideWidth - g.PadWidth) * g.InChannels;

    public int Row(int oy, int ky) => oy * g.StrideHeight - g.PadHeight + ky * g.DilationHeight;

    public int Column(int ox, int kx) => ox * g.StrideWidth - g.PadWidth + kx * g.DilationWidth;

    /// <summary>The tap (iy, ix) in <paramref name="image"/>, or null outside it.</summary>
    public byte* Pixel(byte* image, int iy, int ix) =>
        (uint)iy < (uint)g.InHeight && (uint)ix < (uint)g.InWidth ? image + ((long)iy * g.InWidth + ix) * g.InChannels : null;

    /// <summary>The outputs <c>[low, high)</c> along one axis whose every tap lies inside the input.</summary>
    private static (int Low, int High) Inside(int size, int outSize, int kernel, int stride, int pad, int dilation)
    {
        int low = (pad + stride - 1) / stride, last = size - 1 + pad - (kernel - 1) * dilation;
        return (low, last < 0 ? 0 : Math.Min(outSize, last / stride + 1));
    }
}
