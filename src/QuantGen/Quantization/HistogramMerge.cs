namespace QuantGen.Quantization;

/// <summary>
/// How the histogram observer folds a histogram over an old range into a wider one: PyTorch 1.13's
/// <c>_adjust_min_max</c> and <c>_combine_histograms</c>, with their float32 and float64 steps where PyTorch has them.
/// </summary>
internal static class HistogramMerge
{
    /// <summary>The widened range and how the old bins sit in it.</summary>
    /// <param name="Min">The combined minimum (unchanged by the adjustment).</param>
    /// <param name="Max">The combined maximum, pushed up so the range is a whole number of old bins' widths.</param>
    /// <param name="DownsampleRate">Fine-grid cells per new bin.</param>
    /// <param name="StartIndex">The fine-grid cell where the old range starts.</param>
    public readonly record struct Layout(float Min, float Max, int DownsampleRate, int StartIndex);

    /// <summary>
    /// Lays the old range [<paramref name="oldMin"/>, <paramref name="oldMax"/>], cut into <paramref name="bins"/> ·
    /// <paramref name="upsampleRate"/> fine cells, onto the combined range, which grows at the top (never the bottom,
    /// so a one-sided distribution keeps its minimum at 0) to a whole number of cells per new bin.
    /// All float32, as PyTorch's 0-dim tensors; the rate is <c>ceil</c> of a float32 quotient.
    /// </summary>
    public static Layout AdjustRange(float oldMin, float oldMax, float combinedMin, float combinedMax, int bins, int upsampleRate)
    {
        float cellWidth = (oldMax - oldMin) / (float)((long)bins * upsampleRate);
        float oldBinWidth = bins * cellWidth;
        float rate = MathF.Ceiling((combinedMax - combinedMin) / oldBinWidth);
        if (!(rate >= 1 && rate <= int.MaxValue / bins))
        {
            throw new InvalidOperationException(
                $"The histogram's range grew from [{oldMin}, {oldMax}] to [{combinedMin}, {combinedMax}], too far to merge ({rate} cells per bin).");
        }
        int downsampleRate = (int)rate;
        float excess = downsampleRate * oldBinWidth - (combinedMax - combinedMin);
        int startIndex = (int)MathF.Round((oldMin - combinedMin) / cellWidth, MidpointRounding.ToEven);
        return new Layout(combinedMin, combinedMax + excess, downsampleRate, startIndex);
    }

    /// <summary>
    /// Adds <paramref name="oldHistogram"/>, re-binned onto <paramref name="layout"/>'s range, to
    /// <paramref name="newHistogram"/> (the batch's counts over that range), as PyTorch's <c>_combine_histograms</c>.
    /// </summary>
    /// <remarks>
    /// Each old bin is spread evenly over <paramref name="upsampleRate"/> fine cells placed from
    /// <see cref="Layout.StartIndex"/>; the cells are summed in float64 in order (PyTorch's <c>cumsum(dtype=double)</c>),
    /// sampled at every new bin's end, and differenced — with the previous sample rounded to float32 first, as
    /// PyTorch's float32 shifted copy does — then divided by the upsample rate and rounded to float32.
    /// Where the old range would overhang the new grid by a rounding sliver, PyTorch fails on a size mismatch;
    /// here the overhanging cells are dropped.
    /// </remarks>
    public static float[] Combine(float[] newHistogram, ReadOnlySpan<float> oldHistogram, Layout layout, int upsampleRate)
    {
        int bins = newHistogram.Length;
        int rate = layout.DownsampleRate;
        long cells = (long)bins * rate;
        long oldStart = layout.StartIndex;
        long oldEnd = Math.Min(oldStart + (long)oldHistogram.Length * upsampleRate, cells);

        var result = new float[bins];
        double running = 0;
        float previousSample = 0f;
        for (int bin = 0; bin < bins; bin++)
        {
            long first = (long)bin * rate;
            long last = first + rate;
            for (long cell = Math.Max(first, oldStart); cell < Math.Min(last, oldEnd); cell++)
            {
                running += oldHistogram[(int)((cell - oldStart) / upsampleRate)];
            }
            double share = (running - previousSample) / upsampleRate;
            result[bin] = newHistogram[bin] + (float)share;
            previousSample = (float)running;
        }
        return result;
    }
}
