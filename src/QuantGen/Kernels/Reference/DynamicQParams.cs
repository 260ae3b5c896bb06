namespace QuantGen.Kernels.Reference;

/// <summary>
/// The quint8 qparams PyTorch 1.13 picks for a dynamically quantized input on the qnnpack engine
/// (<c>PackedLinearWeightsQnnp::apply_dynamic_impl</c> in <c>qlinear_dynamic.cpp</c>): the min and max of the whole
/// input tensor, every row of the batch together, through <c>quant_utils::ChooseQuantizationParams</c> over [0, 255].
/// </summary>
/// <remarks>
/// qnnpack ignores <c>reduce_range</c> (PyTorch warns "qnnpack incorrectly ignores reduce_range"), so the full
/// [0, 255] range is always used; <c>reduce_range</c> exists for FBGEMM's saturating <c>vpmaddubsw</c>, and these
/// kernels, like qnnpack's, never saturate an intermediate product.
/// </remarks>
public static class DynamicQParams
{
    private const int QMin = 0, QMax = 255;

    /// <summary>Scales below this (fp16's smallest normal) are raised to it, as PyTorch's <c>SMALL_SCALE_THRESHOLD</c>.</summary>
    private const float SmallScaleThreshold = 6.1e-5f;

    /// <exception cref="ArgumentException">The input holds a NaN or an infinity (PyTorch rejects NaN and misbehaves on infinities).</exception>
    public static ActivationQParams ForInput(ReadOnlySpan<float> input)
    {
        float min = 0, max = 0;
        if (!input.IsEmpty)
        {
            min = max = input[0];
            foreach (float x in input)
            {
                if (!float.IsFinite(x)) throw new ArgumentException("A dynamically quantized input must be finite.", nameof(input));
                min = Math.Min(min, x);
                max = Math.Max(max, x);
            }
        }
        return Choose(min, max);
    }

    /// <summary>
    /// PyTorch's <c>ChooseQuantizationParams(min, max, 0, 255)</c> step by step: widen [min, max] to hold 0; scale
    /// <c>(max − min) / 255</c> in double (0.1 if it would be 0 in float); raise tiny scales to 6.1e-5; zero point from
    /// whichever end adds the smaller terms, rounded half to even and clamped to [0, 255]. The returned scale is the
    /// double narrowed to float, the value PyTorch's kernels quantize and dequantize with.
    /// </summary>
    public static ActivationQParams Choose(float min, float max)
    {
        if (!(min <= max)) throw new ArgumentException($"min ({min}) must not exceed max ({max}).", nameof(min));
        min = Math.Min(min, 0f);
        max = Math.Max(max, 0f);

        double scale = ((double)max - min) / (QMax - QMin);
        if ((float)scale == 0f || float.IsInfinity(1f / (float)scale)) scale = 0.1;
        if (scale < SmallScaleThreshold)
        {
            float originalScale = (float)scale;
            scale = SmallScaleThreshold;
            if (min == 0f) max = SmallScaleThreshold * (QMax - QMin);
            else if (max == 0f) min = -SmallScaleThreshold * (QMax - QMin);
            else
            {
                float amplifier = SmallScaleThreshold / originalScale;
                min *= amplifier;
                max *= amplifier;
            }
        }

        double fromMin = QMin - min / scale, fromMax = QMax - max / scale;
        double errorFromMin = Math.Abs(QMin) - Math.Abs(min / scale);
        double errorFromMax = Math.Abs(QMax) - Math.Abs(max / scale);
        double zeroPoint = errorFromMin < errorFromMax ? fromMin : fromMax;
        int nudged = zeroPoint < QMin ? QMin : zeroPoint > QMax ? QMax : (int)Math.Round(zeroPoint, MidpointRounding.ToEven);
        return new ActivationQParams((float)scale, nudged);
    }
}
