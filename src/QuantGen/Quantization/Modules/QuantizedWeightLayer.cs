using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// What the int8 convolution and linear layers share: qint8 weights with their qparams, and a float bias that is
/// quantized to int32 at s_in·s_w on first use and again whenever the input scale changes — as PyTorch's
/// qnnpack backend does, because in eager mode the input scale is known only once an input arrives.
/// </summary>
public abstract class QuantizedWeightLayer : Module
{
    // The int32 bias for the last input scale seen: one reference, so concurrent callers never see a mix.
    private QuantizedBias? quantizedBias;

    private protected QuantizedWeightLayer(sbyte[] weight, WeightQParams weightQParams, Tensor? bias)
    {
        Weight = weight;
        WeightQParams = weightQParams;
        Bias = bias?.Data.ToArray();
    }

    public sbyte[] Weight { get; }

    public WeightQParams WeightQParams { get; }

    /// <summary>The float weight these int8 values were quantized from (with a fused BatchNorm folded in).</summary>
    internal abstract Tensor FloatWeight { get; }

    /// <summary>The float bias (folded with the BatchNorm when one was fused), or null.</summary>
    public float[]? Bias { get; }

    /// <summary>The bias in int32 for inputs of scale <paramref name="inputScale"/>; empty when there is none.</summary>
    private protected ReadOnlySpan<int> QuantizedBiasFor(float inputScale)
    {
        if (Bias is null) return default;
        if (quantizedBias is { } cached && cached.InputScale == inputScale) return cached.Values;
        var values = new int[Bias.Length];
        Quantize.Bias(Bias, inputScale, WeightQParams, values);
        quantizedBias = new QuantizedBias(inputScale, values);
        return values;
    }
}
