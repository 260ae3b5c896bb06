using QuantGen.Quantization;

using QuantGen.Tests.Infrastructure;

namespace QuantGen.Tests.Quantization;

/// <summary>
/// Weight observers on the fixture's trained weights. conv2, fc1 and fc2 have no BatchNorm to fold (conv2 and fc1
/// are fused with a ReLU only), so their raw weights are what PyTorch observed and quantized.
/// </summary>
public class WeightObserverParityTests
{
    public static TheoryData<string, string> Layers() => new()
    {
        { SmallCnnTruth.MinMaxPerTensor, "fc2" },
        { SmallCnnTruth.MinMaxPerTensor, "fc1" },
        { SmallCnnTruth.MinMaxPerTensor, "conv2" },
        { SmallCnnTruth.HistogramPerChannel, "fc2" },
        { SmallCnnTruth.HistogramPerChannel, "fc1" },
        { SmallCnnTruth.HistogramPerChannel, "conv2" },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Weight_scales_are_PyTorch_s_bit_for_bit(string config, string layer)
    {
        var expected = SmallCnnTruth.Weights(config, layer);

        var qparams = Observe(config, layer);

        Assert.Equal(expected.Scales.Length, qparams.Scales.Length);
        for (int c = 0; c < expected.Scales.Length; c++)
        {
            // Exact, not merely within 1e-6: max|w| / 127.5 is one float32 division in both.
            Assert.True(expected.Scales[c] == qparams.Scales[c],
                $"{config} {layer} channel {c}: scale {qparams.Scales[c]:R}, PyTorch {expected.Scales[c]:R}");
        }
        Assert.Equal(expected.ZeroPoints, qparams.ZeroPoints.ToArray());
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Quantized_weights_equal_PyTorch_s_int8_values(string config, string layer)
    {
        var expected = SmallCnnTruth.Weights(config, layer);

        var values = PyTorchQuantize.Weight(SmallCnnTruth.Weight($"{layer}.weight"), Observe(config, layer));

        Assert.Equal(expected.Values, values);
    }

    [Fact]
    public void The_per_tensor_symmetric_scale_is_max_abs_over_half_the_qint8_range()
    {
        var weight = SmallCnnTruth.Weight("fc2.weight");
        float maxAbs = weight.Data.Max(MathF.Abs);

        var qparams = Observe(SmallCnnTruth.MinMaxPerTensor, "fc2");

        Assert.Equal(maxAbs / 127.5f, qparams.Scale);
        Assert.Equal(0, qparams.ZeroPoint);
    }

    [Fact]
    public void Dividing_by_the_scale_instead_of_multiplying_by_its_reciprocal_misses_PyTorch_on_ties()
    {
        // The largest |w| of a channel lands on x / s = ±127.5 give or take one rounding. PyTorch computes
        // x · (1f / s), and that rounding decides between -127 and -128: division differs in a few weights.
        int differing = 0;
        foreach (string layer in new[] { "conv2", "fc1", "fc2" })
        {
            var expected = SmallCnnTruth.Weights(SmallCnnTruth.HistogramPerChannel, layer);
            var divided = PyTorchQuantize.Weight(SmallCnnTruth.Weight($"{layer}.weight"), Observe(SmallCnnTruth.HistogramPerChannel, layer), divideInstead: true);
            differing += expected.Values.Zip(divided).Count(pair => pair.First != pair.Second);
        }

        Assert.True(differing > 0, "if division matched too, the reciprocal rule would be untested by this fixture");
    }

    private static QParams Observe(string config, string layer)
    {
        var qconfig = config == SmallCnnTruth.MinMaxPerTensor ? QConfig.Default : QConfig.Onednn;
        var observer = qconfig.CreateWeightObserver();
        observer.Forward(SmallCnnTruth.Weight($"{layer}.weight"));
        return observer.CalculateQParams();
    }
}
