using System.Text.Json;
using Microsoft.CodeAnalysis;
using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.IO;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The zoo's MobileNetV3-style network (Zoo/Mnv3Small.cs, ported from Zoo/mnv3_small.py: Hardswish, squeeze-excite
/// with Hardsigmoid and FloatFunctional.Mul, a residual FloatFunctional.Add, MaxPool2d, LeakyReLU, a Cat of two
/// branches) with PyTorch's trained weights, quantized in both of the fixture's configurations. Both: the generated
/// Int8 pass compiles with no warning, equals eager int8 bit for bit and classifies the 64 probes as PyTorch's int8
/// model does; every observer's qparams are PyTorch's, the logits are within one output step of PyTorch's int8 logits,
/// and the MNIST top-1 is PyTorch's within 0.1.
/// </summary>
public sealed class Mnv3SmallTests
{
    private static readonly Lazy<JsonDocument> Truth = new(() => JsonDocument.Parse(File.ReadAllBytes(ZooFile("mnv3_small.json"))));

    private static readonly Lazy<GeneratorRun> Run = new(() => InMemoryAssembly.Compile(
        (File.ReadAllText(ZooFile("Mnv3Small.cs")), "Mnv3Small.cs"), (Sources.Driver("Mnv3Small"), "Driver.cs")));

    private static string ZooFile(string name) => Path.Combine(SampleSources.RepoRoot, "tests", "QuantGen.Generator.Tests", "Zoo", name);

    [Fact]
    public void The_port_loads_PyTorchs_weights_by_their_names_and_gives_its_float_logits()
    {
        ICompiledDriver driver = Loaded();
        Tensor probes = Probes();
        float[] logits = driver.Model.Forward(probes).Data;
        float[] expected = Logits(Truth.Value.RootElement.GetProperty("float_logits"));
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(logits[i] - expected[i]) <= 1e-4f, $"logit {i}: {logits[i]} vs PyTorch {expected[i]}");
    }

    [Theory]
    [InlineData("minmax_per_tensor")]
    [InlineData("histogram_per_channel")]
    public void Matches_PyTorchs_observers_logits_and_top1_and_equals_eager_int8(string config)
    {
        (ICompiledDriver driver, JsonElement truth, float[] generated) = Quantized(config, config == "minmax_per_tensor" ? QConfig.Default : QConfig.Onednn);

        // Every observer PyTorch had, by its path in the fused model, gave the converted layer exactly its qparams: the
        // float convolutions and Linear sum in PyTorch's order, so the observers see PyTorch's bits.
        var differing = new List<string>();
        foreach (JsonProperty observer in truth.GetProperty("observers").EnumerateObject())
        {
            var expected = new ActivationQParams(observer.Value.GetProperty("scale").GetSingle(), observer.Value.GetProperty("zero_point").GetInt32());
            ActivationQParams? actual = OutputOf(driver.Model, observer.Name);
            if (actual != expected) differing.Add($"'{observer.Name}': ours {actual}, PyTorch {expected}");
        }

        Assert.True(truth.GetProperty("observers").EnumerateObject().Count() >= 12, "too few observers in the fixture");
        Assert.True(differing.Count == 0, string.Join("\n", differing));

        float step = ((QuantizedLinear)((Linear)driver.Model.GetSubmodule("fc")!).Substitute!).Output.Scale;
        float[] pytorch = Logits(truth.GetProperty("int8_logits"));
        for (int i = 0; i < pytorch.Length; i++)
        {
            Assert.True(Math.Abs(generated[i] - pytorch[i]) <= step * 1.0001f, $"logit {i}: {generated[i]} vs PyTorch {pytorch[i]} (step {step})");
        }

        AssertSameArgMax(pytorch, generated);
        double top1 = Top1(driver), expectedTop1 = truth.GetProperty("int8_top1").GetDouble();
        Assert.True(Math.Abs(top1 - expectedTop1) <= 0.1, $"top-1 {top1:F2} %, PyTorch int8 {expectedTop1:F2} %");
    }

    /// <summary>Calibrated and converted as PyTorch was; the generated pass's probe logits, checked bit-equal to eager int8's.</summary>
    private static (ICompiledDriver Driver, JsonElement Truth, float[] Logits) Quantized(string config, QConfig qconfig)
    {
        GeneratorRun run = Run.Value;
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        ICompiledDriver driver = Loaded();
        driver.Quantize(CompiledModels.Batches(CompiledModels.Mnist.Value.Train, 512, 64), qconfig);

        Tensor probes = Probes();
        var generated = new float[64 * 10];
        driver.Forward(probes.Data, generated, 64);
        CompiledModels.AssertBits(driver.Model.Forward(probes).Data, generated);
        return (driver, Truth.Value.RootElement.GetProperty("configs").GetProperty(config), generated);
    }

    private static void AssertSameArgMax(float[] pytorch, float[] ours)
    {
        for (int p = 0; p < 64; p++) Assert.True(ArgMax(pytorch.AsSpan(p * 10, 10)) == ArgMax(ours.AsSpan(p * 10, 10)), $"probe {p}");
    }

    private static double Top1(ICompiledDriver driver)
    {
        MnistSet test = CompiledModels.Mnist.Value.Test;
        var logits = new float[test.Count * 10];
        driver.Forward(test.ToTensor(0, test.Count).Data, logits, test.Count);
        return 100.0 * CompiledModels.Correct(logits, test.Labels) / test.Count;
    }

    private static ICompiledDriver Loaded()
    {
        ICompiledDriver driver = InMemoryAssembly.Driver(Run.Value, "Sample.Driver");
        driver.Model.LoadStateDict(SafeTensors.Load(ZooFile("mnv3_small.safetensors")));
        driver.Model.Eval();
        return driver;
    }

    /// <summary>The first 64 test images, stored as bytes in the fixture, normalised as MNIST's loader does (and PyTorch did).</summary>
    private static Tensor Probes()
    {
        byte[] pixels = Convert.FromBase64String(Truth.Value.RootElement.GetProperty("probes").GetString()!);
        Assert.True(pixels.AsSpan().SequenceEqual(CompiledModels.Mnist.Value.Test.Pixels[..pixels.Length]), "the probes are the first 64 test images");
        return new Tensor(new Shape(64, 1, 28, 28), [.. pixels.Select(MnistSet.Normalize)]);
    }

    private static ActivationQParams? OutputOf(Module model, string path) => ((Layer)model.GetSubmodule(path)!).Substitute switch
    {
        QuantizeStep q => q.Output,
        QuantizedConv2d c => c.Output,
        QuantizedLinear l => l.Output,
        QuantizedPointwise p => p.Output,
        QFunctional f => f.Output,
        _ => null,
    };

    private static float[] Logits(JsonElement rows) => [.. rows.EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetSingle())];

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
