namespace QuantGen.Kernels.Reference;

/// <summary>
/// Element-wise product of two quint8 tensors with their own qparams, broadcast as PyTorch broadcasts: the numerics of
/// PyTorch 1.13's <c>quantized::mul</c> (<c>qmul_kernel</c> in <c>QuantizedOpKernels.cpp</c>, which every engine runs
/// for quint8; qnnpack has no mul of its own there):
/// <code>
/// c = (a − z_a)·(b − z_b)                                   exact in int32
/// y = clamp(z_y + round_half_even(float(c) · M), 0, 255)    M = (s_a·s_b)·(1/s_y), all in float32
/// </code>
/// <c>requantize_from_int</c>'s <c>lrintf</c> and the vector path's <c>cvtps2dq</c> both round half to even, so
/// every path of PyTorch gives these bytes; float(c) is exact (|c| ≤ 255²).
/// </summary>
/// <remarks>Pure functions of their arguments: safe to call from any number of threads.</remarks>
public static class QMul
{
    /// <summary>M = (s_a · s_b) · (1/s_y) in float32, in PyTorch's order.</summary>
    public static float Multiplier(ActivationQParams aQ, ActivationQParams bQ, ActivationQParams outputQ) =>
        aQ.Scale * bQ.Scale * (1f / outputQ.Scale);

    /// <summary>Inputs of equal length (no broadcasting).</summary>
    public static void Forward(
        ReadOnlySpan<byte> a, ActivationQParams aQ, ReadOnlySpan<byte> b, ActivationQParams bQ, ActivationQParams outputQ, Span<byte> output)
    {
        ReferenceChecks.SameLength(a.Length, b.Length, "QMul (second input)");
        ReferenceChecks.SameLength(a.Length, output.Length, "QMul");
        Validate(aQ, bQ, outputQ);
        float m = Multiplier(aQ, bQ, outputQ);
        for (int i = 0; i < a.Length; i++) output[i] = Product(a[i] - aQ.ZeroPoint, b[i] - bQ.ZeroPoint, m, outputQ.ZeroPoint);
    }

    /// <summary>Inputs of shapes that broadcast to <paramref name="outputShape"/>.</summary>
    public static void Forward(
        ReadOnlySpan<byte> a, Shape aShape, ActivationQParams aQ,
        ReadOnlySpan<byte> b, Shape bShape, ActivationQParams bQ,
        ActivationQParams outputQ, Shape outputShape, Span<byte> output)
    {
        ReferenceChecks.Length(a.Length, aShape.ElementCount, "a", "QMul", $"{aShape}");
        ReferenceChecks.Length(b.Length, bShape.ElementCount, "b", "QMul", $"{bShape}");
        ReferenceChecks.Length(output.Length, outputShape.ElementCount, "output", "QMul", $"{outputShape}");
        Validate(aQ, bQ, outputQ);
        float m = Multiplier(aQ, bQ, outputQ);
        var (ai, bi) = Broadcasting.Indices(aShape, bShape, outputShape);
        for (int i = 0; i < output.Length; i++) output[i] = Product(a[ai[i]] - aQ.ZeroPoint, b[bi[i]] - bQ.ZeroPoint, m, outputQ.ZeroPoint);
    }

    /// <summary>One element: the rounded product clamped in float to the output's range, then offset (exact: both are integers).</summary>
    internal static byte Product(int x, int y, float multiplier, int zeroPoint)
    {
        float rounded = MathF.Round((x * y) * multiplier, MidpointRounding.ToEven);
        return (byte)(Math.Clamp(rounded, -zeroPoint, 255 - zeroPoint) + zeroPoint);
    }

    private static void Validate(ActivationQParams aQ, ActivationQParams bQ, ActivationQParams outputQ)
    {
        aQ.Validate(nameof(aQ));
        bQ.Validate(nameof(bQ));
        outputQ.Validate(nameof(outputQ));
    }
}
