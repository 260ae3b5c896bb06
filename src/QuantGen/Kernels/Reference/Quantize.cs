namespace QuantGen.Kernels.Reference;

/// <summary>
/// Float → integer, exactly as PyTorch 1.13 does it on CPU (<c>quantize_val</c> in
/// <c>aten/src/ATen/native/quantized/affine_quantizer_base.cpp</c>, the path of a build without FBGEMM such as
/// Debian's, and the one <c>quantize_per_tensor</c>, <c>quantize_per_channel</c> and the qnnpack bias use):
/// <code>q = clamp(zeroPoint + round_half_even(x · (1 / scale)), qmin, qmax)</code>
/// with every step in float32: one float division for <c>1/scale</c>, one float multiplication (not <c>x / scale</c>:
/// the two differ in the last bit, and that flips halfway cases), then <c>nearbyint</c> under the default rounding
/// mode, which is round-half-to-even (2.5 → 2, 3.5 → 4).
/// </summary>
/// <remarks>
/// Where PyTorch's own result is undefined behaviour we define it: NaN gives qmin (what PyTorch's x86 build returns,
/// from the float → int64 conversion), but values with <c>|x/scale| ≥ 2⁶³</c>, infinities included, saturate to the
/// end of the range they lie beyond; PyTorch's x86 build returns qmin for the large positive ones too.
/// </remarks>
public static class Quantize
{
    public static byte ToUInt8(float x, ActivationQParams q) => (byte)ToInteger(x, q.Scale, q.ZeroPoint, byte.MinValue, byte.MaxValue);

    public static sbyte ToInt8(float x, float scale, int zeroPoint) => (sbyte)ToInteger(x, scale, zeroPoint, sbyte.MinValue, sbyte.MaxValue);

    /// <summary>An activation tensor to quint8 (PyTorch's <c>quantize_per_tensor(x, scale, zero_point, torch.quint8)</c>).</summary>
    public static void Activations(ReadOnlySpan<float> values, ActivationQParams q, Span<byte> output)
    {
        q.Validate(nameof(q));
        ReferenceChecks.SameLength(values.Length, output.Length, "Quantize.Activations");
        for (int i = 0; i < values.Length; i++) output[i] = ToUInt8(values[i], q);
    }

    /// <summary>
    /// A weight tensor [outChannels, ...] to qint8, per tensor or per output channel (axis 0), as
    /// <c>quantize_per_tensor</c>/<c>quantize_per_channel(w, scales, zero_points, 0, torch.qint8)</c>.
    /// </summary>
    public static void Weights(ReadOnlySpan<float> values, int outChannels, WeightQParams q, Span<sbyte> output)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        q.CheckChannels(outChannels, "Quantize.Weights");
        ReferenceChecks.SameLength(values.Length, output.Length, "Quantize.Weights");
        if (values.Length % outChannels != 0)
        {
            throw new ShapeMismatchException($"Quantize.Weights: {values.Length} values do not split into {outChannels} output channels.");
        }
        int perChannel = values.Length / outChannels;
        for (int i = 0; i < values.Length; i++)
        {
            int channel = i / perChannel;
            output[i] = ToInt8(values[i], q.Scale(channel), q.ZeroPoint(channel));
        }
    }

    /// <summary>
    /// A float bias to int32 at scale <c>inputScale · weightScale[c]</c> with zero point 0, as PyTorch's qnnpack conv
    /// and linear do on every call whose input scale changed (<c>quant_utils::QuantizeBias</c> in <c>QuantUtils.h</c>).
    /// </summary>
    /// <remarks>
    /// PyTorch multiplies the two scales in double and <c>quantize_val</c> then narrows the product to float. Both
    /// scales are float32 values, so the double product is exact and its narrowing is the correctly rounded float
    /// product — the float multiplication below, bit for bit.
    /// </remarks>
    public static void Bias(ReadOnlySpan<float> bias, float inputScale, WeightQParams weights, Span<int> output)
    {
        ArgumentNullException.ThrowIfNull(weights);
        weights.CheckChannels(bias.Length, "Quantize.Bias");
        ReferenceChecks.SameLength(bias.Length, output.Length, "Quantize.Bias");
        for (int c = 0; c < bias.Length; c++)
        {
            float scale = weights.Scale(c) * inputScale;
            output[c] = (int)ToInteger(bias[c], scale, 0, int.MinValue, int.MaxValue);
        }
    }

    /// <summary>The one rounding rule behind every quantize in QuantGen; see the class summary.</summary>
    internal static long ToInteger(float x, float scale, int zeroPoint, long min, long max)
    {
        float inverseScale = 1f / scale;
        float rounded = MathF.Round(x * inverseScale, MidpointRounding.ToEven);
        if (float.IsNaN(rounded)) return min;
        // PyTorch adds the zero point in float; for every result that is not saturated anyway (|q| < 2²⁴ for 8 bits,
        // zero point 0 for int32) that sum is exact, so the exact double sum gives the same integer.
        double shifted = rounded + (double)zeroPoint;
        return shifted <= min ? min : shifted >= max ? max : (long)shifted;
    }
}
