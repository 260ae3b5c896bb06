using QuantGen.Quantization;

namespace QuantGen.Tests.Quantization;

/// <summary>
/// The histogram observer's parts. Expected values marked "PyTorch 1.13.1" were printed by Debian's python3-torch
/// 1.13.1 (the fixtures' PyTorch) running the same calls; they are float32 values written in their shortest form.
/// </summary>
public class HistogramObserverTests
{
    [Fact]
    public void Rebinning_onto_a_growing_range_matches_PyTorch_batch_by_batch()
    {
        // PyTorch 1.13.1: HistogramObserver(bins=16, upsample_rate=8), three batches whose range grows both ways.
        var observer = new HistogramObserver(bins: 16, upsampleRate: 8);

        Observe(observer, 0f, 0.5f, 1f, 1.5f, 2f, 2.5f, 3f, 3.5f);
        // Counted over int range [0, 3]: 3.5 is left out.
        AssertState(observer, 0f, 3.5f, [1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1]);

        Observe(observer, -1.25f, 0.75f, 4.75f, 6f);
        // The max is pushed up to a whole number of old bins; the old counts are spread over the new bins.
        AssertState(observer, -1.25f, 6.1875f,
            [0, 0, 0.625f, 1.125f, 1.25f, 1, 1, 1, 0.375f, 1.125f, 0.5f, 0, 0, 1, 0, 1]);

        Observe(observer, 2f, 2.25f, 9.5f, 3f);
        AssertState(observer, -1.25f, 9.90625f,
            [0, 0.625f, 1.75f, 1.625f, 2.5f, 1.875f, 2.375f, 0.25f, 0.5f, 0.5f, 1, 0, 0, 0, 0, 0]);

        var qparams = observer.CalculateQParams();
        Assert.Equal((-0.5527344f, 5.7226562f), HistogramRangeSearch.Search(observer.Histogram, observer.MinVal, observer.MaxVal, 256));
        Assert.Equal((0.024609376f, 22), (qparams.Scale, qparams.ZeroPoint));
    }

    [Theory]
    [InlineData(0, 15, 0.0020573996007442474)]
    [InlineData(2, 9, 0.2763344645500183)]
    [InlineData(3, 3, 45.2808952331543)]
    public void The_L2_error_of_a_candidate_range_is_PyTorch_s_to_the_last_bit(int startBin, int endBin, double expected)
    {
        // PyTorch 1.13.1: _compute_quantization_error on the histogram of the test above.
        float[] histogram = [0, 0.625f, 1.75f, 1.625f, 2.5f, 1.875f, 2.375f, 0.25f, 0.5f, 0.5f, 1, 0, 0, 0, 0, 0];

        double error = HistogramRangeSearch.QuantizationError(histogram, -1.25f, 9.90625f, startBin, endBin, 256);

        Assert.Equal(expected, error);
    }

    [Fact]
    public void Histc_bins_with_float32_arithmetic_so_a_value_below_an_edge_can_land_above_it()
    {
        // 0.21f is just below the edge 3 · 0.07 of 100 bins over [0, 7], so exactly it belongs in bin 2; in float32,
        // (0.21f · 100) / 7 = 21 / 7 = 3, and PyTorch 1.13.1's torch.histc puts it in bin 3.
        float[] counts = Histc.Count([0.21f], 100, 0, 7);

        Assert.Equal(1f, counts[3]);
        Assert.True(0.21f < 0.21, "the float32 value is below the decimal edge");
    }

    [Fact]
    public void Histc_counts_the_top_edge_in_the_last_bin_and_skips_values_outside()
    {
        float[] counts = Histc.Count([-0.5f, 0f, 1f, 2f, 2.5f], 4, 0, 2);

        Assert.Equal([1f, 0f, 1f, 1f], counts);
    }

    [Fact]
    public void Histc_with_equal_bounds_uses_the_data_range_as_PyTorch_does()
    {
        // int(-0.4) == int(0.9) == 0, so 1.13 calls histc(min=0, max=0), which falls back to the data's range.
        var observer = new HistogramObserver(bins: 4);

        Observe(observer, -0.4f, 0.1f, 0.5f, 0.9f);

        Assert.Equal([1f, 1f, 1f, 1f], observer.Histogram.ToArray());
    }

    [Fact]
    public void A_histogram_of_one_repeated_value_is_restarted_by_the_next_batch()
    {
        var observer = new HistogramObserver(bins: 8);
        Observe(observer, 0.25f, 0.25f, 0.25f);
        Assert.Equal(observer.MinVal, observer.MaxVal);

        Observe(observer, 0f, 1f, 2f, 3f);

        Assert.Equal((0f, 3f), (observer.MinVal, observer.MaxVal));
        Assert.Equal(4f, observer.Histogram.ToArray().Sum());   // the three 0.25s are gone, as in PyTorch
    }

    [Fact]
    public void Rebinning_keeps_the_counted_mass()
    {
        var random = new Random(5);
        var observer = new HistogramObserver();
        float counted = 0;
        for (int b = 1; b <= 6; b++)
        {
            // Ranges [0, 4b]: integer bounds, so histc counts every value.
            var values = Enumerable.Range(0, 1000).Select(_ => (float)(random.NextDouble() * 4 * b)).Append(0f).Append(4f * b).ToArray();
            Observe(observer, values);
            counted += values.Length;
        }

        Assert.True(observer.MaxVal >= 24f, "the range only grows, and at the top");
        Assert.InRange(TorchFloatSum.Sum(observer.Histogram), counted - 0.01f, counted + 0.01f);
    }

    [Fact]
    public void The_L2_search_trims_the_long_tail_that_MinMax_keeps_whole()
    {
        // ReLU of a normal, scaled by 3: PyTorch 1.13.1 narrows such a range by about 14% (to 11.76 of 13.69 for
        // its own 20,000 samples); the bottom stays at exactly 0.
        var random = new Random(3);
        var values = Enumerable.Range(0, 20_000).Select(_ => MathF.Max(0f, Normal(random)) * 3f).ToArray();
        var histogram = new HistogramObserver();
        Observe(histogram, values);

        var (min, max) = HistogramRangeSearch.Search(histogram.Histogram, histogram.MinVal, histogram.MaxVal, histogram.TargetBins);

        Assert.Equal(0f, min);
        Assert.InRange(max, 0.75f * values.Max(), 0.95f * values.Max());
        Assert.Equal(0, histogram.CalculateQParams().ZeroPoint);
    }

    [Fact]
    public void Torch_sum_order_is_reproduced_where_naive_float_and_double_sums_both_differ()
    {
        // PyTorch 1.13.1 (AVX2): torch.sum of these 40 float32 values is 6452.6855; a left-to-right float32 sum
        // gives 6452.6865 and a float64 sum rounded to float32 6452.686.
        float[] values =
        [
            196.25659f, 468.2218f, -211.52257f, -167.96951f, 7.422821f, 334.07867f, 190.09341f, 596.44476f, 155.62799f,
            332.30627f, 48.893463f, 101.717316f, -277.67426f, -131.14105f, -6.1115417f, 218.52179f, 397.6676f, 500.0114f,
            -138.97054f, -17.731415f, 381.60858f, 615.194f, 97.099915f, 574.1559f, 119.408325f, 252.90704f, 652.7381f,
            -263.83517f, -114.76897f, 73.41739f, 5.1000366f, 632.0004f, -124.08983f, -30.166443f, -149.32024f, -268.2805f,
            -91.87024f, 629.799f, 423.1092f, 442.3363f,
        ];

        Assert.Equal(6452.6855f, TorchFloatSum.Sum(values));
    }

    private static float Normal(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    private static void Observe(Observer observer, params float[] values) => observer.Forward(Tensor.FromArray(values, values.Length));

    private static void AssertState(HistogramObserver observer, float min, float max, float[] histogram)
    {
        Assert.Equal((min, max), (observer.MinVal, observer.MaxVal));
        Assert.Equal(histogram, observer.Histogram.ToArray());
    }
}
