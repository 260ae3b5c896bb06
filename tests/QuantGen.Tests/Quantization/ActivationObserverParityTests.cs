using QuantGen.Quantization;

using QuantGen.Tests.Infrastructure;

namespace QuantGen.Tests.Quantization;

/// <summary>
/// The model-input observers of the PyTorch fixture: the same 16 calibration batches must give PyTorch 1.13's
/// min, max, scale and zero point.
/// </summary>
public class ActivationObserverParityTests
{
    [Fact]
    public void MinMax_observer_with_range_0_to_127_matches_PyTorch_default_qconfig_on_the_input()
    {
        var expected = SmallCnnTruth.Observer(SmallCnnTruth.MinMaxPerTensor, "quant");
        var observer = (MinMaxObserver)QConfig.Default.CreateActivationObserver();

        Calibrate(observer);
        var qparams = observer.CalculateQParams();

        Assert.Equal((0, 127), (observer.QuantMin, observer.QuantMax));
        Assert.Equal(expected.Min, observer.MinVal);
        Assert.Equal(expected.Max, observer.MaxVal);
        AssertScale(expected.Scale, qparams.Scale);
        Assert.Equal(expected.ZeroPoint, qparams.ZeroPoint);
    }

    [Fact]
    public void Histogram_observer_matches_PyTorch_on_the_input_after_16_batches_and_the_L2_search()
    {
        // Every batch spans the same [-0.42, 2.82] (each holds a 0 and a 255 pixel), so after the first batch PyTorch
        // adds counts bin by bin and never re-bins; HistogramObserverTests checks re-binning against PyTorch.
        var expected = SmallCnnTruth.Observer(SmallCnnTruth.HistogramPerChannel, "quant");
        var observer = (HistogramObserver)QConfig.Onednn.CreateActivationObserver();

        Calibrate(observer);
        var qparams = observer.CalculateQParams();

        Assert.Equal((0, 255), (observer.QuantMin, observer.QuantMax));
        Assert.Equal(expected.Min, observer.MinVal);
        Assert.Equal(expected.Max, observer.MaxVal);
        AssertScale(expected.Scale, qparams.Scale);
        Assert.Equal(expected.ZeroPoint, qparams.ZeroPoint);
    }

    [Fact]
    public void Histogram_observer_counts_only_the_values_inside_the_integer_truncated_range_as_PyTorch_1_13_does()
    {
        // PyTorch 1.13 bins each batch with histc(min=int(min), max=int(max)): for MNIST's [-0.42, 2.82] that is
        // [0, 2], so background pixels (-0.42) and the brightest ones (> 2) are not in the histogram at all.
        var observer = new HistogramObserver();
        Calibrate(observer);

        int counted = 0;
        foreach (var batch in SmallCnnTruth.CalibrationBatches) counted += batch.Data.Count(v => v >= 0f && v <= 2f);

        Assert.Equal(counted, observer.Histogram.ToArray().Sum());
        Assert.True(counted < 16 * 64 * 784 / 2, "most MNIST pixels are background and must be left out");
    }

    private static void Calibrate(Observer observer)
    {
        foreach (var batch in SmallCnnTruth.CalibrationBatches) Assert.Same(batch, observer.Forward(batch));
    }

    /// <summary>
    /// Within 1e-6 relative is what parity asks; since every float32 step is PyTorch's, the scale is also bit-equal,
    /// and the second message tells the two failures apart.
    /// </summary>
    internal static void AssertScale(float expected, float actual)
    {
        double relative = Math.Abs(actual - (double)expected) / expected;
        Assert.True(relative <= 1e-6, $"scale {actual:R} differs from PyTorch's {expected:R} by {relative:E2} (relative)");
        Assert.True(expected == actual, $"scale {actual:R} is within 1e-6 of PyTorch's {expected:R} but not bit-equal: a float32 step differs");
    }
}
