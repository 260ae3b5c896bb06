namespace QuantGen.Kernels.Float;

/// <summary>Argument checks shared by the convolution entry points, with messages that name the geometry.</summary>
internal static class ConvChecks
{
    public static void Geometry(in ConvGeometry g)
    {
        if (g.Batch < 0 || g.InChannels <= 0 || g.OutChannels <= 0 || g.InHeight <= 0 || g.InWidth <= 0 ||
            g.KernelHeight <= 0 || g.KernelWidth <= 0 || g.StrideHeight <= 0 || g.StrideWidth <= 0 ||
            g.PadHeight < 0 || g.PadWidth < 0 || g.DilationHeight <= 0 || g.DilationWidth <= 0 || g.Groups <= 0)
        {
            throw new ArgumentException($"Conv2d geometry has a size that is not positive (or a negative batch or padding): {g}.", nameof(g));
        }
        if (g.InChannels % g.Groups != 0 || g.OutChannels % g.Groups != 0)
        {
            throw new ArgumentException($"Conv2d needs InChannels ({g.InChannels}) and OutChannels ({g.OutChannels}) divisible by Groups ({g.Groups}).", nameof(g));
        }
        if (g.OutHeight <= 0 || g.OutWidth <= 0)
        {
            throw new ShapeMismatchException(
                $"Conv2d: a {g.KernelHeight}×{g.KernelWidth} kernel (dilation {g.DilationHeight}×{g.DilationWidth}) does not fit a " +
                $"{g.InHeight}×{g.InWidth} input padded by {g.PadHeight}×{g.PadWidth}.");
        }
    }

    public static void Length(ReadOnlySpan<float> values, long expected, string name, in ConvGeometry g)
    {
        if (values.Length != expected)
        {
            throw new ShapeMismatchException($"Conv2d: {name} should hold {expected} values for {g}, but holds {values.Length}.");
        }
    }
}
