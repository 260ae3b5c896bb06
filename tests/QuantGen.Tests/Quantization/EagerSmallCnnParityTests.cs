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
    /// Exactly, not to rounding: the float layers sum in PyTorch's order (oneDNN's direct convolution, the reference
    /// BLAS's Linear), so the observers see PyTorch's bits. It matters for Histogram, whose L2 search is discontinuous
    /// in them: with conv1's sums in another order (outputs at most 1e-6 away), PyTorch's own HistogramObserver picks
    /// 0.028964633 for conv1 instead of 0.027896523.
    /// </remarks>
    [Theory]
    [MemberData(nameof(Configs))]
    public void Every_observer_records_PyTorchs_range_and_qparams_exactly(string config)
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
            Assert.True(min == expected.Min && max == expected.Max, $"{fixture} range [{min:R}, {max:R}], PyTorch [{expected.Min:R}, {expected.Max:R}]");
            Assert.True(qparams.Scale == expected.Scale, $"{fixture} scale: QuantGen {qparams.Scale:R}, PyTorch {expected.Scale:R}");
            Assert.Equal(expected.ZeroPoint, qparams.ZeroPoint);
        }
    }

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
            Assert.True(output.Scale == SmallCnnTruth.Observer(config, layer).Scale, $"{layer} output scale: QuantGen {output.Scale:R}, PyTorch {SmallCnnTruth.Observer(config, layer).Scale:R}");
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
            Assert.Equal(Classification.ArgMax(expected[i]), Classification.ArgMax(logits.Data.AsSpan(i * 10, 10)));
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
}
