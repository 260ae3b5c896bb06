namespace QuantGen.Nn;

/// <summary>
/// Upsamples NCHW input by a scale factor or to a size, as PyTorch's <c>Upsample</c> (nearest or bilinear; no state).
/// On a quantized tensor it runs PyTorch's quantized kernel and keeps the input's qparams, as PyTorch's eager mode
/// does, so quantization gives it no observer.
/// </summary>
public sealed class Upsample : Layer
{
    /// <param name="size">The output's height and width, if given (then no <paramref name="scaleFactor"/>).</param>
    /// <param name="scaleFactor">The factor height and width grow by; the output size is <c>(int)(in · factor)</c>.</param>
    /// <param name="mode">Nearest or bilinear.</param>
    /// <param name="alignCorners">Bilinear only: whether the corner pixels of input and output align (PyTorch's default false).</param>
    public Upsample(int? size = null, double? scaleFactor = null, UpsampleMode mode = UpsampleMode.Nearest, bool? alignCorners = null)
        : this(size is int s ? (s, s) : null, scaleFactor, mode, alignCorners)
    {
    }

    /// <summary>Upsamples to <paramref name="size"/>, which may differ in height and width.</summary>
    public Upsample((int Height, int Width) size, UpsampleMode mode = UpsampleMode.Nearest, bool? alignCorners = null)
        : this(((int, int)?)size, null, mode, alignCorners)
    {
    }

    private Upsample((int Height, int Width)? size, double? scaleFactor, UpsampleMode mode, bool? alignCorners)
    {
        Interpolation.Check(size, scaleFactor, mode, alignCorners, "Upsample");
        Size = size;
        ScaleFactor = scaleFactor;
        Mode = mode;
        AlignCorners = alignCorners ?? false;
    }

    public (int Height, int Width)? Size { get; }
    public double? ScaleFactor { get; }
    public UpsampleMode Mode { get; }
    public bool AlignCorners { get; }

    protected override Tensor FloatForward(Tensor input)
    {
        if (input.Rank != 4) throw InputShapeError("[N, C, H, W]", input);
        return Interpolation.Run(input, Size, ScaleFactor, Mode, AlignCorners);
    }

    protected override string ExtraRepr() =>
        (Size is { } size ? $"size=({size.Height}, {size.Width})" : $"scale_factor={ScaleFactor:R}") +
        $", mode='{Mode.ToString().ToLowerInvariant()}'" + (Mode == UpsampleMode.Bilinear ? $", align_corners={AlignCorners}" : "");
}
