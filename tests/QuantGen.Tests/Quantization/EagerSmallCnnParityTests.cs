using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Quantization;

/// <summary>
/// The whole eager workflow on the small CNN — fuse, prepare, calibrate on the fixture's 1024 images, convert —
/// against everything PyTorch 1.13 recorded for it, in both configs of small_cnn_truth.json.
/// </summary>
public class EagerSmallCnnParityTests
{
    public static TheoryData<string> Configs => [SmallCnnTruth.MinMaxPerTensor, SmallCnnTruth.HistogramPerChannel];

    private static QConfig QConfigFor(string config) =>
        config == SmallCnnTruth.MinMaxPerTensor ? QConfig.Default : QConfig.Onednn;

    /// <summary>PyTorch's observer name → the module whose output it watched.</summary>
    private static readonly (string Fixture, string Path)[] ObservedLayers =
        [("quant", "quant"), ("conv1", "conv1"), ("conv2", "conv2"), ("fc1", "fc1"), ("fc2", "fc2")];

    /// <remarks>
    /// The input's observer sees the data itself and matches PyTorch to the bit. The others see the output of float
    /// layers, whose sums QuantGen's SIMD kernels add in another order than PyTorch's: min and max then differ in
    /// the last bits (fc1's max: 30.453077 vs 30.453072), within 1e-6 relative, and the scales with them.
    /// </remarks>
    [Theory]
    [MemberData(nameof(Configs))]
    public void Every_observer_records_PyTorchs_range_and_qparams_up_to_float_summation_order(string config)
    {
        var model = PreparedAndCalibrated(config);
        var observers = Observers(model).ToDictionary(o => o.Path, o => o.Observer);

        foreach (var (fixture, path) in ObservedLayers)
        {
            var expected = SmallCnnTruth.Observer(config, fixture);
            var observer = (Observer)observers[$"{path}.{Layer.ObserverName}"];
            var qparams = observer.CalculateQParams();
            var (min, max) = observer switch
            {
                MinMaxObserver m => (m.MinVal, m.MaxVal),
                HistogramObserver h => (h.MinVal, h.MaxVal),
                _ => throw new InvalidOperationException(observer.GetType().Name),
            };
            if (fixture == "quant") Assert.True(min == expected.Min && max == expected.Max, $"input range [{min}, {max}], PyTorch [{expected.Min}, {expected.Max}]");
            AssertRelative(expected.Min, min, $"{fixture} min (float summation order)");
            AssertRelative(expected.Max, max, $"{fixture} max (float summation order)");
            AssertRelative(ExpectedScale(config, fixture), qparams.Scale, $"{fixture} scale");
            Assert.Equal(expected.ZeroPoint, qparams.ZeroPoint);
        }
    }

    /// <summary>
    /// The one scale that differs from small_cnn_truth.json by more than rounding: conv1's output under the
    /// histogram observer, 0.028964633 against PyTorch's 0.027896523. The histogram code is not the cause:
    /// PyTorch 1.13's own HistogramObserver, fed QuantGen's conv1 outputs, chooses QuantGen's scale, and fed
    /// torch's conv2d outputs of the same weights (at most ~1e-6 away) chooses the fixture's. Its L2 search is
    /// discontinuous in its input (Fixtures/histogram_on_quantgen_conv1.py made the evidence).
    /// </summary>
    [Fact]
    public void The_histogram_scale_of_conv1_is_what_PyTorch_chooses_on_QuantGens_float_outputs()
    {
        var evidence = Fixtures.ReadObject(Path.Combine(AppContext.BaseDirectory, "Fixtures", "histogram_on_quantgen_conv1.json"));
        var model = PreparedAndCalibrated(SmallCnnTruth.HistogramPerChannel);
        var observer = (HistogramObserver)Observers(model).Single(o => o.Path == $"conv1.{Layer.ObserverName}").Observer;

        Assert.Equal(evidence["on_quantgen_conv1_outputs"]["scale"], observer.CalculateQParams().Scale);
        Assert.Equal(SmallCnnTruth.Observer(SmallCnnTruth.HistogramPerChannel, "conv1").Scale, evidence["on_torch_conv1_outputs"]["scale"]);
        Assert.True(evidence["max_abs_difference_of_outputs"][""] <= 1e-6f);
    }

    /// <summary>What QuantGen should choose: PyTorch's value, but for the explained histogram case above.</summary>
    private static float ExpectedScale(string config, string fixture) =>
        config == SmallCnnTruth.HistogramPerChannel && fixture == "conv1"
            ? Fixtures.ReadObject(Path.Combine(AppContext.BaseDirectory, "Fixtures", "histogram_on_quantgen_conv1.json"))["on_quantgen_conv1_outputs"]["scale"]
            : SmallCnnTruth.Observer(config, fixture).Scale;

    private static void AssertRelative(float expected, float actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-6 * Math.Abs(expected), $"{what}: QuantGen {actual:R}, expected {expected:R}");

    [Theory]
    [MemberData(nameof(Configs))]
    public void Every_layer_gets_PyTorchs_int8_weights_and_weight_scales_exactly_and_its_output_qparams(string config)
    {
        var model = PreparedAndCalibrated(config);
        Convert(model);

        foreach (string layer in new[] { "conv1", "conv2", "fc1", "fc2" })
        {
            var expected = SmallCnnTruth.Weights(config, layer);
            var substitute = ((Layer)model.GetSubmodule(layer)!).Substitute;
            var (weight, weightQ, output) = substitute switch
            {
                QuantizedConv2d c => (c.Weight, c.WeightQParams, c.Output),
                QuantizedLinear l => (l.Weight, l.WeightQParams, l.Output),
                _ => throw new InvalidOperationException($"{layer} was converted to {substitute?.GetType().Name}"),
            };
            Assert.Equal(expected.Values, weight.Select(v => (int)v));
            Assert.Equal(expected.Scales.Length, weightQ.Count);
            for (int c = 0; c < weightQ.Count; c++)
            {
                Assert.True(weightQ.Scale(c) == expected.Scales[c], $"{layer} channel {c}: weight scale {weightQ.Scale(c)}, PyTorch {expected.Scales[c]}");
                Assert.Equal(expected.ZeroPoints[c], weightQ.ZeroPoint(c));
            }
            AssertRelative(ExpectedScale(config, layer), output.Scale, $"{layer} output scale");
            Assert.Equal(SmallCnnTruth.Observer(config, layer).ZeroPoint, output.ZeroPoint);
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Int8_logits_of_the_probe_images_equal_PyTorchs(string config)
    {
        var model = PreparedAndCalibrated(config);
        Convert(model);

        var logits = model.Forward(Fixtures.LoadProbeImages());

        var expected = Fixtures.ReadMatrix(Fixtures.SmallCnnTruth, "configs", config, "int8_logits");
        float step = SmallCnnTruth.Observer(config, "fc2").Scale;
        Assert.False(logits.IsQuantized);
        for (int i = 0; i < 16; i++)
        {
            for (int k = 0; k < 10; k++)
            {
                Assert.True(Math.Abs(expected[i][k] - logits[i, k]) <= step * 1.0001f,
                    $"image {i}, class {k}: PyTorch {expected[i][k]}, QuantGen {logits[i, k]} (one output step is {step})");
            }
            Assert.Equal(ArgMax(expected[i]), ArgMax(logits.Data.AsSpan(i * 10, 10).ToArray()));
        }
    }

    private static SmallCnn PreparedAndCalibrated(string config)
    {
        var model = TrainedModels.SmallCnn();
        FuseModules(model, SmallCnn.FusionGroups);
        Prepare(model, QConfigFor(config));
        Calibrate(model, SmallCnnTruth.CalibrationBatches);
        return model;
    }

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());
}
