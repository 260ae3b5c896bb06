using System.Text.Json;
using QuantGen.IO;
using QuantGen.Nn;
using QuantGen.Quantization;
using Xunit.Abstractions;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Quantization.NumericSuiteTests;

/// <summary>
/// AutoMixedPrecision on the CNN PyTorch trained with a dead channel and large weights reading it (Fixtures/sensitive_cnn.*),
/// on real MNIST: the first 256 training images calibrate, as PyTorch's script did, and the 10,000 test images are the
/// held-out set. PyTorch's own static MinMax int8 model loses 4.8 points there.
/// </summary>
public sealed class AutoMixedPrecisionTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonElement> Truth = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sensitive_cnn.json"))).RootElement);

    private static readonly Lazy<MixedPrecisionData> Data = new(() =>
    {
        var train = MnistSet.LoadTrain();
        var test = MnistSet.LoadTest();
        return new MixedPrecisionData(
            [.. Enumerable.Range(0, 4).Select(i => train.ToTensor(i * 64, 64))],
            test.ToTensor(0, test.Count), [.. test.Labels.ToArray().Select(label => (int)label)]);
    });

    private static readonly Lazy<MixedPrecisionResult> Result = new(() => AutoMixedPrecision(SensitiveCnn.Trained, Data.Value, maxTop1Drop: 0.1));

    [Fact]
    public void Keeps_fewer_than_a_quarter_of_the_layers_in_float_to_come_within_a_tenth_of_a_point_of_float()
    {
        var result = Result.Value;
        foreach (var trial in result.Trials) output.WriteLine($"kept {trial.KeptFloat.Count}: {trial.Top1:F2} % [{string.Join(", ", trial.KeptFloat)}]");
        output.WriteLine($"float {result.FloatTop1:F2} %, int8 {result.Int8Top1:F2} %, mixed {result.MixedTop1:F2} %; {result.KeepFloatAttribute}");
        output.WriteLine($"{result.WeightBytes:N0} weight bytes, {result.MedianLatencyMs:F3} ms per image");

        // The premise, as PyTorch measured it and as QuantGen does: static int8 loses more than half a point.
        Assert.True(Truth.Value.GetProperty("float_top1").GetDouble() - Truth.Value.GetProperty("int8_top1").GetProperty("minmax_per_tensor").GetDouble() > 0.5);
        Assert.True(result.FloatTop1 - result.Int8Top1 > 0.5, $"all-int8 {result.Int8Top1:F2} % against float {result.FloatTop1:F2} %");
        // The float model is PyTorch's: the same top-1 over the 10,000 images.
        Assert.Equal(Truth.Value.GetProperty("float_top1").GetDouble(), result.FloatTop1, 1e-6 + 0.02);

        Assert.True(result.MeetsTarget, $"mixed {result.MixedTop1:F2} % against float {result.FloatTop1:F2} %");
        Assert.InRange(result.FloatTop1 - result.MixedTop1, double.NegativeInfinity, 0.1);
        Assert.Equal(9, result.Int8Layers);
        Assert.Equal(["conv4.0"], result.KeptFloat);   // the layer whose weights the outliers crush: one of nine, fewer than a quarter
        Assert.Equal($"[KeepFloat({string.Join(", ", result.KeptFloat.Select(p => $"\"{p}\""))})]", result.KeepFloatAttribute);
    }

    [Fact]
    public void The_result_is_the_model_it_measured()
    {
        var result = Result.Value;

        Assert.Equal(result.MixedTop1, Top1(result.Model), 9);
        Assert.IsType<KeptFloatLayer>(((Layer)result.Model.GetSubmodule("conv4.0")!).Substitute);
        Assert.Equal(result.KeptFloat, result.Trials.Last(t => result.FloatTop1 - t.Top1 <= 0.1).KeptFloat);
        // conv4 in float costs its 9,216 weights three more bytes each than int8.
        var int8 = SensitiveCnn.Trained();
        Prepare(int8, QConfig.Default);
        Calibrate(int8, Data.Value.Calibration);
        Convert(int8);
        Assert.Equal(MixedPrecisionSearch.WeightBytes(int8) + 3 * 32 * 32 * 9, result.WeightBytes);
    }

    [Fact]
    public void Bad_arguments_are_refused_by_name()
    {
        var data = Data.Value;
        Assert.Throws<ArgumentOutOfRangeException>(() => AutoMixedPrecision(SensitiveCnn.Trained, data, -1));
        var mismatch = Assert.Throws<QuantizationException>(() => AutoMixedPrecision(SensitiveCnn.Trained, data with { Labels = [1, 2, 3] }, 0.1));
        Assert.Contains("10000 inputs", mismatch.Message);
        Assert.Contains("3 labels", mismatch.Message);
        var training = Assert.Throws<QuantizationException>(() => AutoMixedPrecision(() => new SensitiveCnn(), data, 0.1));
        Assert.Contains("training mode", training.Message);
        Assert.Throws<QuantizationException>(() => AutoMixedPrecision(SensitiveCnn.Trained, data with { Calibration = [] }, 0.1));
    }

    [Theory]
    [InlineData(98.15, 98.05, 0.1, true)]    // 98.15 - 98.05 is 0.10000000000000853 in float64: still the target
    [InlineData(98.15, 98.04, 0.1, false)]
    [InlineData(96.71, 96.62, 0.1, true)]
    [InlineData(97.77, 97.77, 0.0, true)]
    public void A_drop_equal_to_the_target_meets_it(double floatTop1, double top1, double maxDrop, bool within) =>
        Assert.Equal(within, MixedPrecisionResult.IsWithin(floatTop1, top1, maxDrop));

    private static double Top1(Module model)
    {
        var data = Data.Value;
        int n = data.Labels.Count, correct = 0;
        for (int start = 0; start < n; start += 500)
        {
            var logits = model.Forward(new Tensor(new Shape(500, 1, 28, 28), data.HeldOut.Data.AsSpan(start * 784, 500 * 784).ToArray()));
            for (int i = 0; i < 500; i++)
            {
                var row = logits.Data.AsSpan(i * 10, 10);
                int best = 0;
                for (int c = 1; c < 10; c++) if (row[c] > row[best]) best = c;
                if (best == data.Labels[start + i]) correct++;
            }
        }
        return 100.0 * correct / n;
    }
}
