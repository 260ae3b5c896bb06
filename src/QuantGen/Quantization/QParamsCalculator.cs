namespace QuantGen.Quantization;

/// <summary>
/// Scale and zero point from an observed range, as PyTorch 1.13's
/// <c>UniformQuantizationObserverBase._calculate_qparams</c>, bit for bit.
/// </summary>
/// <remarks>
/// <para>PyTorch does this with float32 tensors and Python scalars; a Python scalar meeting a float32 tensor is
/// rounded to float32 first. So every step below is float32 arithmetic, with these exceptions, which are exact:
/// the range width <c>quant_max - quant_min</c> (an integer) and its half (a multiple of 0.5), both
/// representable in float32.</para>
/// <list type="bullet">
/// <item>The range is widened to contain 0: <c>min_neg = min(min, 0)</c>, <c>max_pos = max(max, 0)</c>.</item>
/// <item>Symmetric: <c>scale = max(-min_neg, max_pos) / ((qmax - qmin) / 2)</c>, floored at eps; the zero point
/// is 0 for qint8 and, for quint8, 128 with the default range or <c>(qmin + qmax) // 2</c> with a custom one.</item>
/// <item>Affine: <c>scale = (max_pos - min_neg) / (qmax - qmin)</c>, floored at eps;
/// <c>zero_point = qmin - round_half_even(min_neg / scale)</c>, clamped to [qmin, qmax].</item>
/// </list>
/// </remarks>
public static class QParamsCalculator
{
    /// <summary>PyTorch's default eps, <c>torch.finfo(torch.float32).eps</c> = 2^-23 (not <see cref="float.Epsilon"/>, the smallest subnormal).</summary>
    public const float DefaultEps = 1.1920929E-07f;

    /// <summary>Per-tensor parameters for values observed in [<paramref name="minValue"/>, <paramref name="maxValue"/>].</summary>
    public static QParams PerTensor(float minValue, float maxValue, QDType dtype, QScheme scheme, QuantRange range, float eps = DefaultEps)
    {
        if (scheme.IsPerChannel())
        {
            throw new ArgumentException($"{scheme} is a per-channel scheme; use {nameof(PerChannel)}.", nameof(scheme));
        }
        Validate(dtype, range, eps);
        var (scale, zeroPoint) = ForRange(minValue, maxValue, scheme.IsSymmetric(), dtype, range, eps);
        return QParams.PerTensor(scale, zeroPoint, dtype, range.Min, range.Max);
    }

    /// <summary>Per-channel parameters, one pair per element of the observed minima and maxima.</summary>
    public static QParams PerChannel(
        ReadOnlySpan<float> minValues, ReadOnlySpan<float> maxValues, int axis,
        QDType dtype, QScheme scheme, QuantRange range, float eps = DefaultEps)
    {
        if (!scheme.IsPerChannel())
        {
            throw new ArgumentException($"{scheme} is a per-tensor scheme; use {nameof(PerTensor)}.", nameof(scheme));
        }
        if (minValues.Length != maxValues.Length || minValues.Length == 0)
        {
            throw new ArgumentException($"Per-channel parameters need one min and one max per channel; got {minValues.Length} minima and {maxValues.Length} maxima.");
        }
        Validate(dtype, range, eps);
        var scales = new float[minValues.Length];
        var zeroPoints = new int[minValues.Length];
        for (int c = 0; c < scales.Length; c++)
        {
            (scales[c], zeroPoints[c]) = ForRange(minValues[c], maxValues[c], scheme.IsSymmetric(), dtype, range, eps);
        }
        return QParams.PerChannel(scales, zeroPoints, axis, dtype, range.Min, range.Max);
    }

    private static (float Scale, int ZeroPoint) ForRange(float min, float max, bool symmetric, QDType dtype, QuantRange range, float eps)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max) || min > max)
        {
            throw new ArgumentException($"The observed range [{min}, {max}] is not a finite range with min <= max.");
        }
        float minNeg = MathF.Min(min, 0f);
        float maxPos = MathF.Max(max, 0f);
        int quantMin = range.Min, quantMax = range.Max;

        if (symmetric)
        {
            float halfRange = (quantMax - quantMin) / 2f;
            float scale = MathF.Max(MathF.Max(-minNeg, maxPos) / halfRange, eps);
            int zeroPoint = dtype != QDType.QUInt8 ? 0
                : range.IsCustom ? FloorDivide(quantMin + quantMax, 2)
                : 128;
            return (scale, zeroPoint);
        }
        else
        {
            float scale = MathF.Max((maxPos - minNeg) / (quantMax - quantMin), eps);
            int zeroPoint = quantMin - (int)MathF.Round(minNeg / scale, MidpointRounding.ToEven);
            return (scale, Math.Clamp(zeroPoint, quantMin, quantMax));
        }
    }

    private static int FloorDivide(int value, int divisor) => (int)Math.Floor((double)value / divisor);

    private static void Validate(QDType dtype, QuantRange range, float eps)
    {
        if (range.Min >= range.Max || range.Min > 0 || range.Max < 0 || range.Min < dtype.MinValue() || range.Max > dtype.MaxValue())
        {
            throw new ArgumentException($"The range [{range.Min}, {range.Max}] must contain 0, have min < max and fit {dtype}.", nameof(range));
        }
        if (!(eps > 0) || !float.IsFinite(eps))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be positive and finite.");
        }
    }
}
