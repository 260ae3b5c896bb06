using QuantGen.Nn;

namespace QuantGen.Kernels.Float;

/// <summary>Float nearest and bilinear upsampling over NCHW planes, and their gradients.</summary>
internal static class UpsampleKernels
{
    public static void Forward(in UpsampleGeometry g, ReadOnlySpan<float> x, Span<float> y) => Forward(g, Sources(g), x, y);

    /// <summary>The forward with the geometry's <see cref="Sources"/> computed once by the caller: no allocation.</summary>
    public static void Forward(
        in UpsampleGeometry g, ((int Index, int Step, float Lambda0, float Lambda1)[] Rows, (int Index, int Step, float Lambda0, float Lambda1)[] Columns) sources,
        ReadOnlySpan<float> x, Span<float> y)
    {
        var (rows, columns) = sources;
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        for (int p = 0; p < g.Planes; p++)
        {
            var input = x.Slice(p * inPlane, inPlane);
            var output = y.Slice(p * outPlane, outPlane);
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                var r = rows[oy];
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    var c = columns[ox];
                    int top = r.Index * g.InWidth + c.Index, bottom = top + r.Step * g.InWidth;
                    // Nearest copies (a weighted sum would turn an infinity into NaN). Bilinear is PyTorch 1.13's
                    // interpolation as its AVX2 build runs it, the first product of each a·b + c·d fused into the
                    // sum: the same bits, which observers downstream see.
                    output[oy * g.OutWidth + ox] = g.Mode == UpsampleMode.Nearest ? input[top] :
                        MathF.FusedMultiplyAdd(Linear(input, top, c), r.Lambda0, Linear(input, bottom, c) * r.Lambda1);
                }
            }
        }
    }

    /// <summary>One row's interpolation between the pixel at <paramref name="at"/> and its neighbour <paramref name="c"/>.Step on.</summary>
    private static float Linear(ReadOnlySpan<float> input, int at, (int Index, int Step, float Lambda0, float Lambda1) c) =>
        MathF.FusedMultiplyAdd(input[at], c.Lambda0, input[at + c.Step] * c.Lambda1);

    /// <summary>dx += each output gradient spread over the input pixels it was made of, by the same weights.</summary>
    public static void Backward(in UpsampleGeometry g, ReadOnlySpan<float> dy, Span<float> dx)
    {
        var (rows, columns) = Sources(g);
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        for (int p = 0; p < g.Planes; p++)
        {
            var gradient = dx.Slice(p * inPlane, inPlane);
            var output = dy.Slice(p * outPlane, outPlane);
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                var r = rows[oy];
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    var c = columns[ox];
                    float d = output[oy * g.OutWidth + ox];
                    int top = r.Index * g.InWidth + c.Index, bottom = top + r.Step * g.InWidth;
                    gradient[top] += r.Lambda0 * c.Lambda0 * d;
                    gradient[top + c.Step] += r.Lambda0 * c.Lambda1 * d;
                    gradient[bottom] += r.Lambda1 * c.Lambda0 * d;
                    gradient[bottom + c.Step] += r.Lambda1 * c.Lambda1 * d;
                }
            }
        }
    }

    /// <summary>Each output row's and column's sources; nearest mode is one source of weight 1.</summary>
    internal static ((int Index, int Step, float Lambda0, float Lambda1)[] Rows, (int Index, int Step, float Lambda0, float Lambda1)[] Columns) Sources(in UpsampleGeometry g)
    {
        var rows = new (int, int, float, float)[g.OutHeight];
        var columns = new (int, int, float, float)[g.OutWidth];
        for (int o = 0; o < rows.Length; o++) rows[o] = Source(g, o, g.InHeight, g.OutHeight, g.ScaleHeight);
        for (int o = 0; o < columns.Length; o++) columns[o] = Source(g, o, g.InWidth, g.OutWidth, g.ScaleWidth);
        return (rows, columns);
    }

    private static (int, int, float, float) Source(in UpsampleGeometry g, int output, int inSize, int outSize, double scale) =>
        g.Mode == UpsampleMode.Nearest
            ? (UpsampleGeometry.NearestIndex(output, inSize, outSize, scale), 0, 1f, 0f)
            : UpsampleGeometry.LinearSource(output, inSize, outSize, g.AlignCorners, scale);
}
