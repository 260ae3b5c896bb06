namespace QuantGen.Kernels.Reference;

/// <summary>
/// Element-wise sum of two quint8 tensors with their own qparams into a third (the residual add), the numerics of
/// PyTorch 1.13's <c>quantized::add</c> / <c>add_relu</c> on the qnnpack engine (<c>qnnpack_add</c> in
/// <c>BinaryOps.cpp</c> → <c>pytorch_qnnp_create_add_nc_q8</c>, kernel <c>q8vadd</c>):
/// <code>
/// acc = A·(a − z_a) + B·(b − z_b)                          exact in int32 (|acc| &lt; 2³¹)
/// y   = clamp(z_y + round_half_away_from_zero(acc / 2^Shift), min, max)
/// </code>
/// with A, B and Shift from <see cref="AddMultipliers"/>.
/// </summary>
/// <remarks>
/// The fixed-point form is reproduced rather than a float formula because it rounds differently: it rounds the
/// ratios to 22-bit multipliers and breaks ties away from zero, where a float formula would round half to even on a
/// differently rounded product. Checked against PyTorch 1.13 on random scales, the float formula disagreed on about
/// one element in 10⁵; this form on none.
/// </remarks>
public static class QAdd
{
    public static void Forward(
        ReadOnlySpan<byte> a,
        ActivationQParams aQ,
        ReadOnlySpan<byte> b,
        ActivationQParams bQ,
        ActivationQParams outputQ,
        FusedActivation activation,
        Span<byte> output)
    {
        aQ.Validate(nameof(aQ));
        bQ.Validate(nameof(bQ));
        outputQ.Validate(nameof(outputQ));
        ReferenceChecks.SameLength(a.Length, b.Length, "QAdd (second input)");
        ReferenceChecks.SameLength(a.Length, output.Length, "QAdd");

        AddMultipliers m = AddMultipliers.Create(aQ.Scale, bQ.Scale, outputQ.Scale);
        OutputRange range = OutputRange.For(activation, outputQ);
        for (int i = 0; i < a.Length; i++)
        {
            long accumulator = (long)m.A * (a[i] - aQ.ZeroPoint) + (long)m.B * (b[i] - bQ.ZeroPoint);
            long y = outputQ.ZeroPoint + ShiftRoundingHalfAway(accumulator, m.Shift);
            output[i] = (byte)Math.Clamp(y, range.Min, range.Max);
        }
    }

    /// <summary>
    /// Inputs of different shapes that broadcast to <paramref name="outputShape"/>: PyTorch 1.13 sends these past
    /// qnnpack (which does not broadcast) to ATen's <c>qadd_kernel</c>, in float: each input dequantized with fused
    /// multiply-add, summed, floored at 0 for ReLU, quantized to the output.
    /// </summary>
    public static void ForwardBroadcast(
        ReadOnlySpan<byte> a, Shape aShape, ActivationQParams aQ,
        ReadOnlySpan<byte> b, Shape bShape, ActivationQParams bQ,
        ActivationQParams outputQ, FusedActivation activation, Shape outputShape, Span<byte> output)
    {
        aQ.Validate(nameof(aQ));
        bQ.Validate(nameof(bQ));
        outputQ.Validate(nameof(outputQ));
        ReferenceChecks.Length(a.Length, aShape.ElementCount, "a", "QAdd", $"{aShape}");
        ReferenceChecks.Length(b.Length, bShape.ElementCount, "b", "QAdd", $"{bShape}");
        ReferenceChecks.Length(output.Length, outputShape.ElementCount, "output", "QAdd", $"{outputShape}");
        if (activation == FusedActivation.ReLU6) throw new ArgumentOutOfRangeException(nameof(activation), activation, "PyTorch's add fuses ReLU only.");
        float aPremultiplied = aQ.Scale * -(float)aQ.ZeroPoint, bPremultiplied = bQ.Scale * -(float)bQ.ZeroPoint;
        var (ai, bi) = Broadcasting.Indices(aShape, bShape, outputShape);
        bool relu = activation == FusedActivation.ReLU;
        for (int i = 0; i < output.Length; i++) output[i] = FloatSum(a[ai[i]], aQ.Scale, aPremultiplied, b[bi[i]], bQ.Scale, bPremultiplied, outputQ, relu);
    }

    /// <summary>One element of <see cref="ForwardBroadcast"/>: a premultiplied value is <c>scale · −zero_point</c>, as ATen precomputes it.</summary>
    internal static byte FloatSum(byte a, float aScale, float aPremultiplied, byte b, float bScale, float bPremultiplied, ActivationQParams outputQ, bool relu)
    {
        float sum = MathF.FusedMultiplyAdd(a, aScale, aPremultiplied) + MathF.FusedMultiplyAdd(b, bScale, bPremultiplied);
        return Quantize.ToUInt8(relu ? Math.Max(sum, 0f) : sum, outputQ);
    }

    /// <summary>
    /// <c>acc / 2^shift</c> rounded half away from zero, in qnnpack's words: an arithmetic shift (floor), plus one when
    /// the remainder, less one for negative values, exceeds half the divisor less one.
    /// </summary>
    private static long ShiftRoundingHalfAway(long accumulator, int shift)
    {
        long mask = (1L << shift) - 1, threshold = mask >> 1;
        long remainder = (accumulator & mask) - (accumulator < 0 ? 1 : 0);
        return (accumulator >> shift) + (remainder > threshold ? 1 : 0);
    }
}
