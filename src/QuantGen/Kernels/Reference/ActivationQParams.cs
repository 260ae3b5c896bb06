namespace QuantGen.Kernels.Reference;

/// <summary>
/// How a quint8 activation tensor maps to real numbers: <c>x ≈ Scale·(q − ZeroPoint)</c>, q in [0, 255].
/// One pair for the whole tensor (PyTorch's per-tensor affine activations).
/// </summary>
/// <remarks>
/// The scale is float32 because that is the value PyTorch's kernels compute with: observers produce float32
/// scales, and qnnpack receives every scale as a C <c>float</c>.
/// </remarks>
public readonly record struct ActivationQParams(float Scale, int ZeroPoint)
{
    /// <exception cref="ArgumentOutOfRangeException">The scale is not a positive normal float, or the zero point is outside [0, 255].</exception>
    internal void Validate(string paramName)
    {
        if (!float.IsNormal(Scale) || Scale <= 0)
        {
            throw new ArgumentOutOfRangeException(paramName, Scale, "The activation scale must be a positive, finite, normal float.");
        }
        if (ZeroPoint is < byte.MinValue or > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException(paramName, ZeroPoint, "A quint8 zero point must lie in [0, 255].");
        }
    }
}
