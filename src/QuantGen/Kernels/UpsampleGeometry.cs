using QuantGen.Nn;

namespace QuantGen.Kernels;

/// <summary>
/// A 2-D upsampling of <see cref="Planes"/> planes (batch × channels) from InHeight×InWidth to OutHeight×OutWidth, with
/// PyTorch's source coordinates: <see cref="ScaleHeight"/>/<see cref="ScaleWidth"/> are the user's scale factors
/// (0 when the output size was given), which PyTorch uses in place of in/out when they were given.
/// </summary>
public readonly record struct UpsampleGeometry(
    int Planes, int InHeight, int InWidth, int OutHeight, int OutWidth, UpsampleMode Mode, bool AlignCorners = false,
    double ScaleHeight = 0, double ScaleWidth = 0)
{
    public int InputLength => Planes * InHeight * InWidth;

    public int OutputLength => Planes * OutHeight * OutWidth;

    /// <summary>
    /// The input row (or column) nearest mode copies into output index <paramref name="output"/>, as PyTorch's
    /// <c>nearest_idx</c>: the same index when the sizes agree, half of it when the output is twice the input, else
    /// <c>min(floor(output·scale), in − 1)</c> with <c>scale = (float)(1/scaleFactor)</c>, or <c>(float)in/out</c>.
    /// </summary>
    public static int NearestIndex(int output, int inSize, int outSize, double scaleFactor)
    {
        if (outSize == inSize) return output;
        if (outSize == 2 * inSize) return output >> 1;
        float scale = scaleFactor > 0 ? (float)(1.0 / scaleFactor) : (float)inSize / outSize;
        return Math.Min((int)MathF.Floor(output * scale), inSize - 1);
    }

    /// <summary>
    /// Bilinear mode's source for output index <paramref name="output"/>: the lower input index, the step to the upper
    /// one (0 at the last input), and the weights of the two, as PyTorch's <c>area_pixel_compute_source_index</c> on the
    /// channels-last quantized kernel computes them: <c>scale·(o + 0.5) − 0.5</c> with one rounding (the kernel is
    /// compiled with FMA contraction), floored at 0; <c>scale·o</c> with <c>align_corners</c>.
    /// </summary>
    public static (int Index, int Step, float Lambda0, float Lambda1) LinearSource(int output, int inSize, int outSize, bool alignCorners, double scaleFactor)
    {
        float scale = alignCorners
            ? outSize > 1 ? (float)(inSize - 1) / (outSize - 1) : 0f
            : scaleFactor > 0 ? (float)(1.0 / scaleFactor) : (float)inSize / outSize;
        float source = alignCorners ? scale * output : Math.Max(MathF.FusedMultiplyAdd(scale, output + 0.5f, -0.5f), 0f);
        int index = (int)source;
        float lambda1 = source - index;
        return (index, index < inSize - 1 ? 1 : 0, 1f - lambda1, lambda1);
    }

    /// <summary>The output size PyTorch computes for a scale factor: <c>(int)(in · scale)</c> in double.</summary>
    public static int ScaledSize(int inSize, double scaleFactor) => (int)(inSize * scaleFactor);
}
