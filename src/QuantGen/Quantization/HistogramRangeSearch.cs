namespace QuantGen.Quantization;

/// <summary>
/// PyTorch 1.13's <c>HistogramObserver._non_linear_param_search</c>: narrows the histogram's range to the
/// [min, max] whose uniform quantization has the least L2 error, trimming outliers from one end at a time.
/// </summary>
/// <remarks>
/// Arithmetic follows PyTorch's types: its Python floats (the bin widths in the error, the quantile targets, the
/// alpha/beta steps) are float64 here; its tensors are float32, including every per-bin term of the error; and a
/// Python float meeting a float32 tensor — in a product or a comparison — is rounded to float32 first.
/// </remarks>
internal static class HistogramRangeSearch
{
    private const double Step = 1e-5;

    /// <summary>The searched range, as <c>min + width · start_bin</c> and <c>min + width · (end_bin + 1)</c> in float32.</summary>
    public static (float Min, float Max) Search(ReadOnlySpan<float> histogram, float minVal, float maxVal, int targetBins)
    {
        int bins = histogram.Length;
        float binWidth = (maxVal - minVal) / bins;
        double total = TorchFloatSum.Sum(histogram);
        float[] cumulative = CumulativeSum(histogram);

        double alpha = 0.0, beta = 1.0;
        int startBin = 0, endBin = bins - 1;
        double leastError = double.PositiveInfinity;
        while (alpha < beta)
        {
            double nextAlpha = alpha + Step;
            double nextBeta = beta - Step;
            float lowTarget = (float)(nextAlpha * total);
            float highTarget = (float)(nextBeta * total);

            // The bins where the quantiles nextAlpha and nextBeta fall.
            int l = startBin, r = endBin;
            while (l < endBin && cumulative[l] < lowTarget) l++;
            while (r > startBin && cumulative[r] > highTarget) r--;

            // Trim whichever end would lose more bins; the top on a tie.
            int nextStart = startBin, nextEnd = endBin;
            if (l - startBin > endBin - r)
            {
                nextStart = l;
                alpha = nextAlpha;
            }
            else
            {
                nextEnd = r;
                beta = nextBeta;
            }
            if (nextStart == startBin && nextEnd == endBin) continue;

            double error = QuantizationError(histogram, minVal, maxVal, nextStart, nextEnd, targetBins);
            if (error > leastError) break;
            leastError = error;
            startBin = nextStart;
            endBin = nextEnd;
        }
        return (minVal + binWidth * startBin, minVal + binWidth * (endBin + 1));
    }

    /// <summary>
    /// PyTorch's <c>_compute_quantization_error</c>: the L2 error of quantizing the histogram's mass, taken as
    /// uniform within each source bin, onto <paramref name="targetBins"/> levels spread over bins
    /// <paramref name="startBin"/>..<paramref name="endBin"/>.
    /// </summary>
    public static double QuantizationError(ReadOnlySpan<float> histogram, float minVal, float maxVal, int startBin, int endBin, int targetBins)
    {
        int bins = histogram.Length;
        double binWidth = ((double)maxVal - minVal) / bins;
        double targetWidth = binWidth * (endBin - startBin + 1) / targetBins;
        if (targetWidth == 0.0) return 0.0;

        float width = (float)binWidth;
        float step = (float)targetWidth;
        float half = (float)(targetWidth / 2);
        float lastTarget = targetBins - 1;
        // The error of a whole target bin, (h³ − (−h)³) / 3, before the density scales it.
        float wholeBin = Cube(half) - Cube(-half);
        wholeBin /= 3f;

        var errors = new float[bins];
        for (int i = 0; i < bins; i++)
        {
            // Where source bin i starts and ends, measured from the first target bin.
            float begin = (i - startBin) * width;
            float end = begin + width;
            float firstTarget = Math.Clamp(FloorDivide(begin, step), 0f, lastTarget);
            float lastOverlapped = Math.Clamp(FloorDivide(end, step), 0f, lastTarget);
            float density = histogram[i] / width;

            float firstCenter = (firstTarget + 0.5f) * step;
            float error = Norm(begin - firstCenter, half, density);
            error += (lastOverlapped - firstTarget - 1f) * (density * wholeBin);
            float lastCenter = lastOverlapped * step + half;
            error += Norm(-half, end - lastCenter, density);
            errors[i] = error;
        }
        return TorchFloatSum.Sum(errors);
    }

    /// <summary>PyTorch's <c>_get_norm</c>: density · (end³ − begin³) / 3, the L2 mass of uniform values over [begin, end].</summary>
    private static float Norm(float begin, float end, float density)
    {
        float norm = Cube(end) - Cube(begin);
        norm /= 3f;
        return density * norm;
    }

    private static float Cube(float x) => x * x * x;

    /// <summary><c>torch.cumsum</c> of float32 on the CPU: a float64 running sum, each prefix rounded to float32.</summary>
    private static float[] CumulativeSum(ReadOnlySpan<float> values)
    {
        var result = new float[values.Length];
        double running = 0;
        for (int i = 0; i < values.Length; i++)
        {
            running += values[i];
            result[i] = (float)running;
        }
        return result;
    }

    /// <summary>
    /// <c>torch.div(a, b, rounding_mode='floor')</c> on float32, as ATen computes it: from the exact remainder,
    /// with the correction that keeps the quotient an integer when the division rounds up to one.
    /// </summary>
    private static float FloorDivide(float a, float b)
    {
        if (b == 0) return a / b;
        float remainder = a % b;
        float quotient = (a - remainder) / b;
        if (remainder != 0 && (b < 0) != (remainder < 0)) quotient -= 1f;
        if (quotient == 0) return MathF.CopySign(0f, a / b);
        float floor = MathF.Floor(quotient);
        if (quotient - floor > 0.5f) floor += 1f;
        return floor;
    }
}
