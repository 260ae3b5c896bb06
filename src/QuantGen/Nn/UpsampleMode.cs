namespace QuantGen.Nn;

/// <summary>How <see cref="Upsample"/> and <see cref="Functional.Interpolate(Tensor, int?, double?, UpsampleMode, bool?)"/> fill the new pixels (PyTorch's <c>mode</c>).</summary>
public enum UpsampleMode
{
    /// <summary>Each output pixel copies its nearest input pixel (<c>"nearest"</c>).</summary>
    Nearest,

    /// <summary>Each output pixel interpolates its four nearest input pixels (<c>"bilinear"</c>).</summary>
    Bilinear,
}
