namespace QuantGen.Kernels.Reference;

/// <summary>
/// qnnpack's fixed-point form of <c>y = (s_a/s_y)·(a − z_a) + (s_b/s_y)·(b − z_b)</c>: each ratio becomes an integer
/// multiplier over a common power of two, <c>ratio ≈ multiplier / 2^Shift</c>
/// (<c>pytorch_qnnp_compute_add_quantization_params</c> in <c>qnnpack/src/qnnpack/requantization.h</c>).
/// </summary>
internal readonly record struct AddMultipliers(int A, int B, int Shift)
{
    private const float MinRatio = 1f / 16384, MaxRatio = 256f; // [2^-14, 2^8)

    /// <summary>
    /// The ratios are float32 quotients (<c>a_scale / sum_scale</c> in qnnpack's <c>create_add_nc_q8</c>). The larger
    /// one fixes the shift so that its multiplier lands in [2²¹, 2²²); both multipliers are the ratio times
    /// 2^shift (exact in float) rounded half to even (<c>lrintf</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A ratio lies outside [2⁻¹⁴, 2⁸), which qnnpack rejects, or both lie below
    /// 2⁻¹⁰, where qnnpack's 32-bit shift would be undefined.</exception>
    public static AddMultipliers Create(float aScale, float bScale, float outputScale)
    {
        float aRatio = aScale / outputScale, bRatio = bScale / outputScale;
        CheckRatio(aRatio, nameof(aScale));
        CheckRatio(bRatio, nameof(bScale));
        float largest = Math.Max(aRatio, bRatio);
        int exponent = (int)(BitConverter.SingleToUInt32Bits(largest) >> 23) - 127;
        int shift = 21 - exponent;
        if (shift > 31)
        {
            throw new ArgumentOutOfRangeException(nameof(outputScale), outputScale,
                $"QAdd: the output scale is over 2^10 times both input scales ({aScale}, {bScale}); qnnpack's add cannot represent that.");
        }
        float toFixedPoint = BitConverter.UInt32BitsToSingle((uint)(shift + 127) << 23);
        int a = (int)MathF.Round(aRatio * toFixedPoint, MidpointRounding.ToEven);
        int b = (int)MathF.Round(bRatio * toFixedPoint, MidpointRounding.ToEven);
        return new AddMultipliers(a, b, shift);
    }

    private static void CheckRatio(float ratio, string paramName)
    {
        if (!(ratio >= MinRatio && ratio < MaxRatio))
        {
            throw new ArgumentOutOfRangeException(paramName, ratio,
                "QAdd: each input scale divided by the output scale must lie in [2^-14, 2^8), as qnnpack's add requires.");
        }
    }
}
