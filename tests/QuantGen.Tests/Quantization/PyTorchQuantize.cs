using QuantGen.Quantization;

namespace QuantGen.Tests.Quantization;

/// <summary>
/// PyTorch's <c>quantize_per_tensor</c>/<c>quantize_per_channel</c> on the CPU (ATen's <c>quantize_val</c>):
/// <c>clamp(zero_point + nearbyint(x · (1f / scale)), qmin, qmax)</c> — a multiplication by the float32
/// reciprocal of the scale, not a division, rounded half to even.
/// </summary>
internal static class PyTorchQuantize
{
    /// <summary>Quantizes a weight whose channel axis is 0 (or a per-tensor one), element by element.</summary>
    public static int[] Weight(Tensor weight, QParams qparams, bool divideInstead = false)
    {
        int channelSize = qparams.IsPerChannel ? weight.Length / weight.Size(0) : weight.Length;
        var result = new int[weight.Length];
        for (int i = 0; i < result.Length; i++)
        {
            int channel = i / channelSize;
            float scale = qparams.Scales[channel];
            float scaled = divideInstead ? weight.Data[i] / scale : weight.Data[i] * (1f / scale);
            int q = qparams.ZeroPoints[channel] + (int)MathF.Round(scaled, MidpointRounding.ToEven);
            result[i] = Math.Clamp(q, qparams.DType.MinValue(), qparams.DType.MaxValue());
        }
        return result;
    }
}
