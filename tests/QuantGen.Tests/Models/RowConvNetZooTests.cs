using System.Text.Json;
using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;

namespace QuantGen.Tests.Models;

/// <summary>
/// The zoo's 1-D network against PyTorch 1.13 (Fixtures/row_conv_net.*, made by row_conv_net.py, engine qnnpack):
/// PyTorch's state dict loads with no renaming and gives its float logits; calibrated on the images PyTorch
/// calibrated with and converted through the generated glue, for MinMax per-tensor and Histogram per-channel, the
/// generated Int8 pass equals eager int8 bit for bit, its logits are within one output step of PyTorch's int8 logits
/// on the 64 probes with the same argmax on all, and its top-1 over the 10,000 test images is PyTorch's within 0.1.
/// </summary>
public sealed class RowConvNetZooTests
{
    private const int Probes = 64, CalibrationImages = 1024, CalibrationBatch = 64;

    private static readonly Lazy<JsonDocument> Truth = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "row_conv_net.json"))));

    private static readonly Lazy<(MnistSet Train, MnistSet Test)> Mnist = new(() => (MnistSet.LoadTrain(), MnistSet.LoadTest()));

    public static TheoryData<string> Configs => ["minmax_per_tensor", "histogram_per_channel"];

    /// <summary>[N, 28, 28]: each image as 28 row signals of 28 pixels (the same bytes as [N, 1, 28, 28]).</summary>
    private static Tensor Rows(MnistSet set, int start, int count) => set.ToTensor(start, count).Reshape(count, 28, 28);

    private static RowConvNet Trained()
    {
        var model = new RowConvNet();
        model.LoadStateDict(SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "row_conv_net.safetensors")));
        model.Eval();
        return model;
    }

    private static float[][] Logits(JsonElement rows) => [.. rows.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray())];

    [Fact]
    public void PyTorchs_state_dict_gives_its_float_logits()
    {
        var logits = Trained().Forward(Rows(Mnist.Value.Test, 0, Probes));
        float[][] expected = Logits(Truth.Value.RootElement.GetProperty("float_logits"));
        for (int i = 0; i < Probes; i++)
        {
            for (int k = 0; k < 10; k++) Assert.True(Math.Abs(expected[i][k] - logits[i, k]) <= 1e-4f, $"image {i}, class {k}: {logits[i, k]} vs PyTorch {expected[i][k]}");
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Generated_int8_matches_PyTorchs_int8_and_eager_int8(string config)
    {
        var truth = Truth.Value.RootElement.GetProperty("configs").GetProperty(config);
        var model = Trained();
        var calibration = Enumerable.Range(0, CalibrationImages / CalibrationBatch).Select(b => Rows(Mnist.Value.Train, b * CalibrationBatch, CalibrationBatch));
        RowConvNet.Int8 int8 = model.Calibrate(calibration, config == "minmax_per_tensor" ? QConfig.Default : QConfig.Onednn).Convert();

        // Each layer's output qparams: exactly PyTorch's. The float convolutions and Linear sum in PyTorch's order, so
        // the observers see its bits (a Histogram observer's search is discontinuous in them: the images times 1 ± 1e-7
        // move PyTorch's own 'quant' and 'conv2' scales; Zoo/histogram_backends.txt in the generator tests).
        foreach (var layer in truth.GetProperty("layers").EnumerateObject())
        {
            var output = model.GetSubmodule(layer.Name) switch
            {
                Layer { Substitute: QuantizedConv2d conv } => conv.Output,
                Layer { Substitute: QuantizedLinear linear } => linear.Output,
                Layer { Substitute: QuantizeStep quantize } => quantize.Output,
                var other => throw new InvalidOperationException($"'{layer.Name}' is {other?.GetType().Name}, converted to nothing PyTorch gives qparams for"),
            };
            float scale = layer.Value.GetProperty("scale").GetSingle();
            Assert.True(layer.Value.GetProperty("zero_point").GetInt32() == output.ZeroPoint && output.Scale == scale,
                $"{config} '{layer.Name}': {output} where PyTorch has scale {scale}, zero point {layer.Value.GetProperty("zero_point")}");
        }

        // Generated equals eager, bit for bit, on the probes.
        var probes = Rows(Mnist.Value.Test, 0, Probes);
        float[] eager = model.Forward(probes).Data;
        var generated = new float[Probes * 10];
        int8.Forward(probes.Data, generated, Probes);
        Assert.Equal(eager.Select(BitConverter.SingleToInt32Bits), generated.Select(BitConverter.SingleToInt32Bits));

        // Within one output step of PyTorch's int8 logits, with the same argmax on every probe.
        float step = ((QuantizedLinear)((Layer)model.GetSubmodule("fc")!).Substitute!).Output.Scale;
        float[][] expected = Logits(truth.GetProperty("int8_logits"));
        for (int i = 0; i < Probes; i++)
        {
            for (int k = 0; k < 10; k++)
            {
                Assert.True(Math.Abs(expected[i][k] - generated[i * 10 + k]) <= step * 1.0001f, $"{config} image {i}, class {k}: {generated[i * 10 + k]} vs PyTorch {expected[i][k]} (step {step})");
            }
            Assert.True(Classification.ArgMax(expected[i]) == Classification.ArgMax(generated.AsSpan(i * 10, 10)), $"{config} image {i}: class {Classification.ArgMax(generated.AsSpan(i * 10, 10))}, PyTorch {Classification.ArgMax(expected[i])}");
        }

        // MNIST top-1 over the whole test set: PyTorch's, within 0.1 points.
        var test = Mnist.Value.Test;
        var logits = new float[test.Count * 10];
        int8.Forward(Rows(test, 0, test.Count).Data, logits, test.Count);
        int correct = 0;
        for (int i = 0; i < test.Count; i++) correct += Classification.ArgMax(logits.AsSpan(i * 10, 10)) == test.Labels[i] ? 1 : 0;
        double top1 = 100.0 * correct / test.Count, pyTorchTop1 = truth.GetProperty("int8_top1").GetDouble();
        Assert.True(Math.Abs(top1 - pyTorchTop1) <= 0.1, $"{config}: top-1 {top1:F2} %, PyTorch's int8 {pyTorchTop1:F2} %");
        Assert.True(top1 > 90, $"{config}: top-1 {top1:F2} % — the trained network should classify MNIST");
    }
}
