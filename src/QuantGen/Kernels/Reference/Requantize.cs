namespace QuantGen.Kernels.Reference;

/// <summary>
/// int32 accumulator → quint8, as PyTorch 1.13's qnnpack conv and linear kernels do it (the fp32 requantization of
/// <c>q8gemm</c>/<c>q8conv</c>/<c>q8dwconv</c>; <c>requantization/fp32-scalar.c</c> is its scalar statement):
/// <code>
/// M = (s_w · s_in) · (1 / s_out)                       float32, computed once per output channel
/// y = zeroPoint + round_half_even(clamp((float)acc · M, min − zeroPoint, max − zeroPoint))
/// </code>
/// </summary>
/// <remarks>
/// <para>Why these exact steps:</para>
/// <list type="bullet">
/// <item>The multiplier is the float expression of PyTorch's <c>generate_requantization_scales</c> (QnnpackUtils.h):
/// the weight scale times the input scale, times the float reciprocal of the output scale. Dividing instead differs in
/// the last bit, and PyTorch's outputs follow the reciprocal.</item>
/// <item>The accumulator becomes a float by round-to-nearest-even (<c>cvtdq2ps</c>; exact below 2²⁴), is multiplied
/// once in float32, and rounds half to even (<c>cvtps2dq</c> / <c>lrintf</c> / qnnpack's magic-number add, all the
/// same under the default rounding mode). Doing the product in double would differ whenever float rounding moves it
/// across a halfway point.</item>
/// <item>Clamping before rounding equals clamping after, because the bounds are integers; clamping first keeps
/// every value in range, so no product can overflow the conversion (qnnpack's SSE2 kernel would turn a product over
/// 2³¹, only possible with M &gt; 1, into 0).</item>
/// </list>
/// </remarks>
public static class Requantize
{
    /// <summary>The float32 factor from accumulator units (<c>s_in·s_w</c>) to output units (<c>s_out</c>).</summary>
    public static float Multiplier(float inputScale, float weightScale, float outputScale) => weightScale * inputScale * (1f / outputScale);

    public static byte ToUInt8(int accumulator, float multiplier, int zeroPoint, OutputRange range)
    {
        float scaled = (float)accumulator * multiplier;
        float clamped = Math.Clamp(scaled, range.Min - zeroPoint, range.Max - zeroPoint);
        return (byte)((int)MathF.Round(clamped, MidpointRounding.ToEven) + zeroPoint);
    }
}
