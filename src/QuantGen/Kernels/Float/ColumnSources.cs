using System.Runtime.CompilerServices;

namespace QuantGen.Kernels.Float;

/// <summary>
/// The B operand of a GEMM, able to pack any run of its columns into panels. A struct constraint on it lets
/// the drivers take a stored matrix or an on-the-fly im2col without a virtual call per panel.
/// </summary>
internal unsafe interface IColumnSource
{
    /// <summary>
    /// Writes columns [<paramref name="first"/>, first + <paramref name="count"/>) as panels of
    /// <paramref name="width"/> (≤ <see cref="Panels.Width"/>) columns, k-major (<c>[panel][k][width]</c>),
    /// zero-filling the last panel's missing columns.
    /// </summary>
    void Pack(int first, int count, int width, float* destination);
}

/// <summary>B stored in memory, possibly across a batch of images.</summary>
internal readonly unsafe struct MatrixColumns(BatchedMatrix matrix, int rows) : IColumnSource
{
    [SkipLocalsInit]
    public void Pack(int first, int count, int width, float* destination)
    {
        float** sources = stackalloc float*[Panels.Width];
        for (int offset = 0; offset < count; offset += width)
        {
            int column = first + offset;
            int columns = Math.Min(width, count - offset);
            float* target = destination + (long)offset * rows;
            if (matrix.ContiguousFrom(column) >= columns)
            {
                float* source = matrix.Column(column);
                if (columns == width && matrix.RowStride == width)
                {
                    // Already in panel layout (a narrow B that is one whole image): one block copy.
                    Unsafe.CopyBlockUnaligned(target, source, (uint)(rows * width * sizeof(float)));
                    continue;
                }
                for (int k = 0; k < rows; k++)
                {
                    if (columns == Panels.Width) Unsafe.CopyBlockUnaligned(target, source, Panels.Width * sizeof(float)); // constant size: inlined
                    else RowCopy.Copy(target, source, columns);
                    for (int j = columns; j < width; j++) target[j] = 0f;
                    source += matrix.RowStride;
                    target += width;
                }
                continue;
            }
            matrix.ColumnStarts(column, columns, sources);
            for (int k = 0; k < rows; k++)
            {
                nint step = k * matrix.RowStride;
                for (int j = 0; j < columns; j++) target[j] = sources[j][step];
                for (int j = columns; j < width; j++) target[j] = 0f;
                target += width;
            }
        }
    }
}

/// <summary>
/// The im2col matrix of one block of input channels of one group of a convolution, built panel by panel as the GEMM
/// asks for it, so the whole unrolled input never exists at once. Row (ky, kx, c) of column (image, oy, ox) is the
/// input pixel of channel <paramref name="firstChannel"/> + c under that kernel tap, or 0 in the padding: the order
/// PyTorch's direct convolution sums in (<see cref="DirectConvOrder"/>).
/// </summary>
internal readonly unsafe struct Im2ColColumns(ConvGeometry g, float* input, int group, int firstChannel, int channels) : IColumnSource
{
    [SkipLocalsInit]
    public void Pack(int first, int count, int width, float* destination)
    {
        int outPixels = g.OutHeight * g.OutWidth;
        int inPixels = g.InHeight * g.InWidth;
        int rows = channels * g.KernelHeight * g.KernelWidth;
        float** images = stackalloc float*[Panels.Width];
        int* top = stackalloc int[Panels.Width];
        int* left = stackalloc int[Panels.Width];
        for (int offset = 0; offset < count; offset += width)
        {
            int columns = Math.Min(width, count - offset);
            int column = first + offset, image = column / outPixels, pixel = column % outPixels;
            int oy = pixel / g.OutWidth, ox = pixel % g.OutWidth;
            for (int j = 0; j < columns; j++)
            {
                images[j] = input + ((long)image * g.InChannels + (long)group * g.InChannelsPerGroup + firstChannel) * inPixels;
                top[j] = oy * g.StrideHeight - g.PadHeight;
                left[j] = ox * g.StrideWidth - g.PadWidth;
                if (++ox < g.OutWidth) continue;
                ox = 0;
                if (++oy < g.OutHeight) continue;
                oy = 0;
                image++;
            }
            float* target = destination + (long)offset * rows;
            for (int ky = 0; ky < g.KernelHeight; ky++)
            {
                for (int kx = 0; kx < g.KernelWidth; kx++)
                {
                    int dy = ky * g.DilationHeight, dx = kx * g.DilationWidth;
                    for (int channel = 0; channel < channels; channel++)
                    {
                        for (int j = 0; j < columns; j++)
                        {
                            int y = top[j] + dy, x = left[j] + dx;
                            bool inside = (uint)y < (uint)g.InHeight && (uint)x < (uint)g.InWidth;
                            target[j] = inside ? images[j][channel * inPixels + y * g.InWidth + x] : 0f;
                        }
                        for (int j = columns; j < width; j++) target[j] = 0f;
                        target += width;
                    }
                }
            }
        }
    }
}
