using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Quantization;

namespace QuantGen.Generator.Tests;

/// <summary>
/// A sequence model over the 28 rows of an MNIST image as tokens — a Linear over [N, 28, 28], GELU, LayerNorm over the
/// last dimension, the mean over the tokens, a Linear and GELU, a Linear head — trained in PyTorch
/// (Fixtures/seq_dynamic.py), as a PyTorch user ports it: through its generated <c>QuantizeDynamic()</c> and
/// <c>Dynamic</c> pass against PyTorch 1.13's <c>quantize_dynamic</c> on qnnpack and bit for bit against QuantGen's eager
/// dynamic model; its generated <c>Float</c> pass against eager float. Nothing allocated per call.
/// </summary>
public sealed class SequenceModelTests
{
    public const string SeqModel = """
        using QuantGen;
        using QuantGen.Nn;

        namespace Sample;

        [Quantize(QuantMode.Dynamic)]
        [InputShape(28, 28)]
        public sealed partial class SeqModel : Module
        {
            readonly Linear embed = new(28, 128);
            readonly GELU gelu1 = new();
            readonly LayerNorm norm = new(128);
            readonly Linear fc = new(128, 64);
            readonly GELU gelu2 = new();
            readonly Linear head = new(64, 10);

            public override Tensor Forward(Tensor x)
            {
                x = norm.Forward(gelu1.Forward(embed.Forward(x)));
                x = Functional.Mean(x, dim: 1);
                return head.Forward(gelu2.Forward(fc.Forward(x)));
            }
        }
        """;

    private static readonly Lazy<GeneratorRun> Dynamic = new(() => Compile("Dynamic"));

    private static readonly Lazy<GeneratorRun> Float = new(() => Compile("Float"));

    private static readonly PyTorchFixture Truth = new("seq_dynamic");

    private static GeneratorRun Compile(string pass) => InMemoryAssembly.Compile((SeqModel, "SeqModel.cs"), (Sources.PassDriver("SeqModel", pass), "PassDriver.cs"));

    /// <summary>The model with the fixture's float weights, its pass built (<c>QuantizeDynamic()</c> or <c>Float.From</c>).</summary>
    private static IPassDriver Built(Lazy<GeneratorRun> run)
    {
        IPassDriver driver = CompiledModels.PassDriver(run.Value);
        driver.Model.LoadStateDict(Truth.Weights());
        driver.Model.Eval();
        driver.Build();
        return driver;
    }

    /// <summary>MNIST test images from <paramref name="start"/> as [count, 28, 28]: 28 tokens of 28 pixels each.</summary>
    private static Tensor Tokens(int start, int count) => CompiledModels.Mnist.Value.Test.ToTensor(start, count).Reshape(count, 28, 28);

    [Fact]
    public void Dynamic_logits_are_PyTorchs_within_1e_4_relative_with_the_same_argmax_on_64_probes()
    {
        IPassDriver driver = Built(Dynamic);
        int probes = Truth.Probes;
        var logits = new float[probes * 10];
        driver.Forward(Tokens(0, probes).Data, logits, probes);

        // Each Linear is PyTorch's dynamic arithmetic exactly (the token Linear reads the pixels, as PyTorch's does), and
        // the mean over tokens sums in PyTorch's order. What differs is float rounding in the float ops between the
        // Linears: QuantGen's GELU takes erf in double and rounds once (PyTorch: a float32 polynomial), its LayerNorm
        // takes the mean and variance in double (PyTorch: float32 moments); a few ulps, which move the next Linear's
        // per-call scale and its output by as little (measured: at most 3e-7 relative, 346 of the 640 logits bit-equal).
        PyTorchFixture.AssertClose(Truth.Logits("probe_logits"), logits, classes: 10, relative: 1e-4f);
    }

    [Fact]
    public void Eager_float_logits_are_PyTorchs_float_ones_within_1e_4_relative()
    {
        IPassDriver driver = Built(Float);
        float[] logits = driver.Model.Forward(Tokens(0, Truth.Probes)).Data;
        PyTorchFixture.AssertClose(Truth.Logits("float_probe_logits"), logits, classes: 10, relative: 1e-4f);
    }

    [Fact]
    public void Dynamic_MNIST_top1_is_PyTorchs_within_0_05_points()
    {
        IPassDriver driver = Built(Dynamic);
        var test = CompiledModels.Mnist.Value.Test;
        var logits = new float[test.Count * 10];
        driver.Forward(Tokens(0, test.Count).Data, logits, test.Count);

        double top1 = 100.0 * CompiledModels.Correct(logits, test.Labels) / test.Count;
        double pytorch = Truth.Number("dynamic_top1_percent");
        Assert.True(Math.Abs(top1 - pytorch) <= 0.05, $"QuantGen {top1:F2} %, PyTorch {pytorch:F2} %");
        Assert.True(top1 > 80, $"{top1:F2} %"); // not vacuous: a trained model (a bag of rows: the mean forgets their order)
    }

    [Fact]
    public void The_dynamic_pass_equals_the_eager_dynamic_model_one_sample_at_a_time_bit_for_bit()
    {
        IPassDriver driver = Built(Dynamic);
        const int images = 128;
        Assert.IsType<DynamicQuantizedLinear>(((QuantGen.Nn.Layer)driver.Model.GetSubmodule("embed")!).Substitute);

        // Eager dynamic quantizes each call's input from its whole range: one sample per call is the generated pass's rule.
        var eager = new float[images * 10];
        for (int i = 0; i < images; i++) driver.Model.Forward(Tokens(i, 1)).Data.CopyTo(eager, i * 10);

        var generated = new float[eager.Length];
        driver.Forward(Tokens(0, images).Data, generated, images);
        CompiledModels.AssertBits(eager, generated);

        var split = new float[eager.Length];
        driver.MaxThreads = 2;
        driver.Forward(Tokens(0, images).Data, split, images);
        CompiledModels.AssertBits(eager, split);
    }

    [Fact]
    public void The_dynamic_pass_allocates_nothing()
    {
        IPassDriver driver = Built(Dynamic);
        float[] image = Tokens(0, 1).Data;
        var logits = new float[10];
        Assert.Equal(0, CompiledModels.AllocatedBy100Calls(() => driver.Forward(image, logits)));
    }

    [Fact]
    public void The_float_pass_equals_eager_float_within_1e_5_and_allocates_nothing()
    {
        IPassDriver driver = Built(Float);
        Tensor tokens = Tokens(0, Truth.Probes);
        float[] eager = driver.Model.Forward(tokens).Data;
        var generated = new float[eager.Length];
        driver.Forward(tokens.Data, generated, Truth.Probes);

        // The same kernels as eager float, over the same rows: only a GEMM's blocking of a batch could differ.
        for (int i = 0; i < eager.Length; i++) Assert.True(Math.Abs(eager[i] - generated[i]) <= 1e-5f, $"logit {i % 10} of probe {i / 10}: {generated[i]:R}, eager {eager[i]:R}");

        float[] image = Tokens(0, 1).Data;
        var logits = new float[10];
        Assert.Equal(0, CompiledModels.AllocatedBy100Calls(() => driver.Forward(image, logits)));
    }
}
