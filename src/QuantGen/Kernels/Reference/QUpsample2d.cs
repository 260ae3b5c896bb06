using QuantGen.Nn;

namespace QuantGen.Kernels.Reference;

/// <summary>
/// Upsampling of quint8 NCHW planes, the numerics of PyTorch 1.13's quantized <c>upsample_nearest2d</c> and
/// <c>upsample_bilinear2d</c>; the output keeps the input's qparams.
/// <list type="bullet">
/// <item>Nearest copies bytes (<see cref="UpsampleGeometry.NearestIndex"/>), so any scale factor is exact.</item>
/// <item>Bilinear is the channels-last kernel (<c>qupsample_bilinear2d_nhwc_kernel</c>), the one that runs after a qnnpack
/// convolution, which leaves its output channels-last: in float, with the products fused as GCC contracted them,
/// <code>r = fma(λh1, fma(λw1, p11, λw0·p10), λh0·fma(λw1, p01, λw0·p00)) − z;   y = clamp(z + round_half_even(r), 0, 255)</code>
/// PyTorch's kernel for a contiguous (NCHW) input, such as a QuantStub's output, rounds each product separately and
/// can differ from this by one step where <c>r</c> lies within a rounding of a half.</item>
/// </list>
/// </summary>
public static class QUpsample2d
{
    public static void Forward(in UpsampleGeometry g, ReadOnlySpan<byte> input, int zeroPoint, Span<byte> output)
    {
        const string op = "QUpsample2d";
        if (g.Planes < 0 || g.InHeight <= 0 || g.InWidth <= 0 || g.OutHeight <= 0 || g.OutWidth <= 0)
        {
            throw new ArgumentException($"{op}: a size is not positive: {g}.", nameof(g));
        }
        ReferenceChecks.Length(input.Length, g.InputLength, nameof(input), op, $"[{g.Planes}, {g.InHeight}, {g.InWidth}]");
        ReferenceChecks.Length(output.Length, g.OutputLength, nameof(output), op, $"[{g.Planes}, {g.OutHeight}, {g.OutWidth}]");
        var (rows, columns) = Float.UpsampleKernels.Sources(g);
        int inPlane = g.InHeight * g.InWidth, index = 0;
        for (int p = 0; p < g.Planes; p++)
        {
            var plane = input.Slice(p * inPlane, inPlane);
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                var r = rows[oy];
                for (int ox = 0; ox < g.OutWidth; ox++, index++)
                {
                    var c = columns[ox];
                    int top = r.Index * g.InWidth + c.Index, bottom = top + r.Step * g.InWidth;
                    output[index] = g.Mode == UpsampleMode.Nearest
                        ? plane[top]
                        : Bilinear(plane[top], plane[top + c.Step], plane[bottom], plane[bottom + c.Step], r.Lambda0, r.Lambda1, c.Lambda0, c.Lambda1, zeroPoint);
                }
            }
        }
    }

    /// <summary>One output byte of bilinear mode from its four source bytes; see the class summary.</summary>
    public static byte Bilinear(byte p00, byte p01, byte p10, byte p11, float h0, float h1, float w0, float w1, int zeroPoint)
    {
        float top = MathF.FusedMultiplyAdd(w1, p01, w0 * p00);
        float bottom = MathF.FusedMultiplyAdd(w1, p11, w0 * p10);
        float result = MathF.FusedMultiplyAdd(h1, bottom, h0 * top) - zeroPoint;
        return (byte)Math.Clamp((int)MathF.Round(result, MidpointRounding.ToEven) + zeroPoint, 0, 255);
    }
}
