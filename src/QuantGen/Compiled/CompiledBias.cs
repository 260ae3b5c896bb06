using QuantGen.Kernels.Reference;

namespace QuantGen.Compiled;

/// <summary>A float bias in int32 at <c>s_in·s_w[c]</c>: what eager int8 computes on its first call, computed once at convert.</summary>
internal static class CompiledBias
{
    public static int[] For(float[]? bias, ActivationQParams input, WeightQParams weights)
    {
        if (bias is null) return [];
        var values = new int[bias.Length];
        Quantize.Bias(bias, input.Scale, weights, values);
        return values;
    }
}
