namespace QuantGen.Kernels.Float;

/// <summary>
/// A matrix whose columns may run across a batch of images. Element (row, column) lives at
/// <c>Origin + row·RowStride + (column / ColumnsPerImage)·ImageStride + column % ColumnsPerImage</c>.
/// A row-major matrix is a single image; an NCHW activation seen as [C, N·H·W] has one image per batch item,
/// which lets one GEMM cover the whole batch so that every weight is loaded once, not once per image.
/// </summary>
internal readonly unsafe struct BatchedMatrix(float* origin, nint rowStride, int columnsPerImage, nint imageStride)
{
    public float* Origin { get; } = origin;

    public nint RowStride { get; } = rowStride;

    public int ColumnsPerImage { get; } = Math.Max(1, columnsPerImage);

    public nint ImageStride { get; } = imageStride;

    public static BatchedMatrix RowMajor(float* origin, int leadingDimension, int columns) =>
        new(origin, leadingDimension, columns, 0);

    /// <summary>An NCHW tensor [images, channels, pixels] as the matrix [channels, images·pixels].</summary>
    public static BatchedMatrix Activations(float* origin, int channels, int pixels) =>
        new(origin, pixels, pixels, (nint)channels * pixels);

    /// <summary>Row 0 of <paramref name="column"/>.</summary>
    public float* Column(int column) =>
        Origin + column / ColumnsPerImage * ImageStride + column % ColumnsPerImage;

    /// <summary>Row 0 of each of <paramref name="count"/> columns from <paramref name="first"/> on, with one division in all.</summary>
    public void ColumnStarts(int first, int count, float** starts)
    {
        float* image = Origin + first / ColumnsPerImage * ImageStride;
        int within = first % ColumnsPerImage;
        for (int j = 0; j < count; j++)
        {
            starts[j] = image + within;
            if (++within == ColumnsPerImage)
            {
                within = 0;
                image += ImageStride;
            }
        }
    }

    /// <summary>How many columns from <paramref name="column"/> on are contiguous (the rest of its image).</summary>
    public int ContiguousFrom(int column) => ColumnsPerImage - column % ColumnsPerImage;
}
