using System.Text.Json;
using Microsoft.CodeAnalysis;
using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.IO;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The zoo's encoder-decoder (Zoo/EncoderDecoder.cs, ported from Zoo/encoder_decoder.py: a convolutional encoder, a
/// ConvTranspose2d with a BatchNorm folded in, a Cat skip connection, a bilinear Upsample followed by a standalone
/// BatchNorm2d+ReLU, a pooled Linear head) with PyTorch's trained weights, quantized in both of the fixture's
/// configurations: the generated Int8 pass compiles with no diagnostic at all, has the same argmax as PyTorch's int8 on
/// the 64 probes, its MNIST top-1 within 0.1, and equals eager int8 bit for bit; every observer's qparams are exactly
/// PyTorch's and its logits within one output step of PyTorch's int8 logits, calibrated by QuantGen on PyTorch's images
/// and, for Histogram, also given PyTorch's own calibration state.
/// </summary>
public sealed class EncoderDecoderTests
{
    private static readonly ZooFixture Zoo = new("EncoderDecoder", "encoder_decoder");

    [Fact]
    public void The_port_loads_PyTorchs_weights_by_their_names_and_gives_its_float_logits()
    {
        float[] logits = Zoo.Loaded().Model.Forward(Zoo.Probes()).Data;
        float[] expected = ZooFixture.Logits(Zoo.Truth.GetProperty("float_logits"));
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(logits[i] - expected[i]) <= 1e-4f, $"logit {i}: {logits[i]} vs PyTorch {expected[i]}");
    }

    [Theory]
    [InlineData("minmax_per_tensor")]
    [InlineData("histogram_per_channel")]
    public void Calibrated_on_PyTorchs_images_the_Int8_pass_keeps_PyTorchs_argmax_and_top1_and_equals_eager_int8(string config)
    {
        GeneratorRun run = Zoo.Run;
        Assert.Empty(run.Reported);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        JsonElement truth = Zoo.Truth.GetProperty("configs").GetProperty(config);

        ICompiledDriver driver = Zoo.Loaded();
        // The images PyTorch calibrated on: the first 512 training images in batches of 64.
        driver.Quantize(CompiledModels.Batches(CompiledModels.Mnist.Value.Train, 512, 64), config == "minmax_per_tensor" ? QConfig.Default : QConfig.Onednn);

        // Every observer's qparams are PyTorch's exactly: the float convolutions and Linear sum in PyTorch's order (the
        // transposed convolution already did), so the observers see PyTorch's bits; and so the logits are within one step.
        AssertObservers(driver.Model, truth);
        AssertWithinOneStep(driver, truth);
        AssertArgmaxTop1AndEager(driver, truth);
    }

    [Fact]
    public void With_PyTorchs_histogram_calibration_state_the_Int8_pass_is_within_one_step_of_PyTorchs_int8()
    {
        JsonElement truth = Zoo.Truth.GetProperty("configs").GetProperty("histogram_per_channel");
        ICompiledDriver driver = Zoo.Loaded();
        string[][] groups = [.. Zoo.Truth.GetProperty("fuse").EnumerateArray().Select(g => g.EnumerateArray().Select(n => n.GetString()!).ToArray())];
        EagerQuantization.FuseModules(driver.Model, groups);
        EagerQuantization.Prepare(driver.Model, QConfig.Onednn);
        driver.Model.LoadStateDict(SafeTensors.Load(ZooFixture.ZooFile("encoder_decoder_histograms.safetensors")), strict: false);
        EagerQuantization.Convert(driver.Model);
        driver.RebuildFromModel();

        AssertObservers(driver.Model, truth);
        AssertWithinOneStep(driver, truth);
        AssertArgmaxTop1AndEager(driver, truth);
    }

    /// <summary>Every observer PyTorch had, by its path in the fused model, gave the converted layer exactly its qparams.</summary>
    private static void AssertObservers(Module model, JsonElement truth)
    {
        var differing = new List<string>();
        foreach (JsonProperty observer in truth.GetProperty("observers").EnumerateObject())
        {
            var expected = new ActivationQParams(observer.Value.GetProperty("scale").GetSingle(), observer.Value.GetProperty("zero_point").GetInt32());
            ActivationQParams? actual = OutputOf(model, observer.Name);
            if (actual != expected)
            {
                differing.Add($"'{observer.Name}': ours {actual}, PyTorch {expected}");
            }
        }

        Assert.True(truth.GetProperty("observers").EnumerateObject().Count() >= 10, "too few observers in the fixture");
        Assert.True(differing.Count == 0, string.Join("\n", differing));
    }

    private static void AssertWithinOneStep(ICompiledDriver driver, JsonElement truth)
    {
        var generated = new float[64 * 10];
        driver.Forward(Zoo.Probes().Data, generated, 64);
        float step = ((QuantizedLinear)((Linear)driver.Model.GetSubmodule("fc")!).Substitute!).Output.Scale;
        float[] pytorch = ZooFixture.Logits(truth.GetProperty("int8_logits"));
        for (int i = 0; i < pytorch.Length; i++)
        {
            Assert.True(Math.Abs(generated[i] - pytorch[i]) <= step * 1.0001f, $"logit {i}: {generated[i]} vs PyTorch {pytorch[i]} (step {step})");
        }
    }

    /// <summary>The same argmax as PyTorch's int8 on every probe, its MNIST top-1 within 0.1, and eager int8's logits bit for bit.</summary>
    private static void AssertArgmaxTop1AndEager(ICompiledDriver driver, JsonElement truth)
    {
        Tensor probes = Zoo.Probes();
        var generated = new float[64 * 10];
        driver.Forward(probes.Data, generated, 64);
        CompiledModels.AssertBits(driver.Model.Forward(probes).Data, generated);
        float[] pytorch = ZooFixture.Logits(truth.GetProperty("int8_logits"));
        for (int p = 0; p < 64; p++) Assert.Equal(ZooFixture.ArgMax(pytorch.AsSpan(p * 10, 10)), ZooFixture.ArgMax(generated.AsSpan(p * 10, 10)));

        MnistSet test = CompiledModels.Mnist.Value.Test;
        var logits = new float[test.Count * 10];
        driver.Forward(test.ToTensor(0, test.Count).Data, logits, test.Count);
        double top1 = 100.0 * CompiledModels.Correct(logits, test.Labels) / test.Count;
        double expectedTop1 = truth.GetProperty("int8_top1").GetDouble();
        Assert.True(Math.Abs(top1 - expectedTop1) <= 0.1, $"top-1 {top1:F2} %, PyTorch int8 {expectedTop1:F2} %");
    }

    private static ActivationQParams? OutputOf(Module model, string path) => ((Layer)model.GetSubmodule(path)!).Substitute switch
    {
        QuantizeStep q => q.Output,
        QuantizedConv2d c => c.Output,
        QuantizedConvTranspose2d t => t.Output,
        QuantizedBatchNorm2d b => b.Output,
        QuantizedLinear l => l.Output,
        QFunctional f => f.Output,
        _ => null,
    };
}
