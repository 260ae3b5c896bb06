namespace QuantGen.Quantization;

/// <summary><c>torch.histc</c> of float32 values as PyTorch 1.13 computes it on the CPU, bin for bin.</summary>
internal static class Histc
{
    /// <summary>
    /// Counts <paramref name="values"/> into <paramref name="bins"/> equal bins over [<paramref name="min"/>,
    /// <paramref name="max"/>] (the double arguments histc receives). Values outside are not counted; the last
    /// bin includes its right edge.
    /// </summary>
    /// <remarks>
    /// <para>Edges: when min == max, histc uses the data's own min and max instead, and if those are equal too it
    /// widens them by 1 each way (in double). The edges are then float32 (histc's <c>linspace</c> runs in the input
    /// dtype; its first and last points are the ends exactly).</para>
    /// <para>Binning (the <c>LINEAR_INTERPOLATION</c> kernel, without the local search <c>torch.histogram</c> adds):
    /// <c>bin = (long)((x − left) · bins / (right − left))</c>, each operation rounded to float32, so a value on an
    /// interior edge can land one bin either side of where exact arithmetic puts it; bin == bins becomes bins − 1.</para>
    /// </remarks>
    public static float[] Count(ReadOnlySpan<float> values, int bins, double min, double max)
    {
        var (lowEdge, highEdge) = OuterEdges(values, min, max);
        float left = (float)lowEdge;
        float right = (float)highEdge;
        float width = right - left;
        float binCount = bins;

        var histogram = new float[bins];
        foreach (float x in values)
        {
            if (!(x >= left && x <= right)) continue;
            long bin = (long)((x - left) * binCount / width);
            if (bin == bins) bin = bins - 1;
            histogram[bin] += 1f;
        }
        return histogram;
    }

    private static (double Low, double High) OuterEdges(ReadOnlySpan<float> values, double min, double max)
    {
        if (min == max && values.Length > 0)
        {
            var (dataMin, dataMax) = Extremes.Of(values);
            (min, max) = (dataMin, dataMax);
        }
        if (min == max)
        {
            min -= 1;
            max += 1;
        }
        if (!double.IsFinite(min) || !double.IsFinite(max) || !(min < max))
        {
            throw new ArgumentException($"torch.histc needs a finite range with min < max; got [{min}, {max}].");
        }
        return (min, max);
    }
}
