namespace QuantGen.Quantization;

/// <summary>Minimum and maximum of finite values, over a whole tensor or per slice along one axis (<c>torch.aminmax</c>).</summary>
internal static class Extremes
{
    public static (float Min, float Max) Of(ReadOnlySpan<float> values)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
        return (min, max);
    }

    /// <summary>
    /// One (min, max) per index of <paramref name="axis"/> (already in [0, rank)), as PyTorch's per-channel observers
    /// compute it: move the axis first, flatten the rest, reduce each row.
    /// </summary>
    public static (float[] Min, float[] Max) PerSlice(Tensor tensor, int axis)
    {
        var dims = tensor.Shape.Dims;
        int channels = dims[axis];
        int inner = 1;
        for (int d = axis + 1; d < dims.Length; d++) inner *= dims[d];
        int outer = channels == 0 || inner == 0 ? 0 : tensor.Length / (channels * inner);

        var min = new float[channels];
        var max = new float[channels];
        min.AsSpan().Fill(float.PositiveInfinity);
        max.AsSpan().Fill(float.NegativeInfinity);
        ReadOnlySpan<float> data = tensor.Span;
        for (int o = 0; o < outer; o++)
        {
            for (int c = 0; c < channels; c++)
            {
                var (sliceMin, sliceMax) = Of(data.Slice((o * channels + c) * inner, inner));
                min[c] = MathF.Min(min[c], sliceMin);
                max[c] = MathF.Max(max[c], sliceMax);
            }
        }
        return (min, max);
    }
}
