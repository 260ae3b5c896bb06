using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Quantization;

namespace QuantGen.Generator.Tests;

/// <summary>
/// A <c>QuantMode.Dynamic</c> MLP on flattened MNIST, its weights trained in PyTorch (Fixtures/mlp_dynamic.py), through
/// its generated <c>QuantizeDynamic()</c> and <c>Dynamic</c> pass: against PyTorch 1.13's <c>quantize_dynamic</c> on
/// qnnpack (logits, argmax, MNIST top-1) and bit for bit against QuantGen's eager dynamic model, with nothing allocated.
/// </summary>
public sealed class DynamicPassTests
{
    public const string Mlp = """
        using QuantGen;
        using QuantGen.Nn;

        namespace Sample;

        [Quantize(QuantMode.Dynamic)]
        [InputShape(1, 28, 28)]
        public sealed partial class Mlp : Module
        {
            readonly Flatten flatten = new();
            readonly Linear fc1 = new(784, 64);
            readonly ReLU relu = new();
            readonly Linear fc2 = new(64, 10);

            public override Tensor Forward(Tensor x) => fc2.Forward(relu.Forward(fc1.Forward(flatten.Forward(x))));
        }
        """;

    private static readonly Lazy<GeneratorRun> Compiled = new(() => InMemoryAssembly.Compile((Mlp, "Mlp.cs"), (Sources.PassDriver("Mlp", "Dynamic"), "PassDriver.cs")));

    private static readonly PyTorchFixture Truth = new("mlp_dynamic");

    /// <summary>The MLP with the fixture's float weights, quantized by its generated <c>QuantizeDynamic()</c>.</summary>
    private static IPassDriver Dynamic()
    {
        IPassDriver driver = CompiledModels.PassDriver(Compiled.Value);
        driver.Model.LoadStateDict(Truth.Weights());
        driver.Build();
        return driver;
    }

    [Fact]
    public void Logits_are_PyTorchs_dynamic_ones_within_1e_4_relative_with_the_same_argmax_on_64_probes()
    {
        IPassDriver driver = Dynamic();
        int probes = Truth.Probes;
        Tensor images = CompiledModels.Mnist.Value.Test.ToTensor(0, probes);

        var logits = new float[probes * 10];
        driver.Forward(images.Data, logits, probes);

        // QuantGen's dynamic linear is PyTorch's arithmetic (qparams from min and max, int32 sums, one float
        // multiply and one add), so what remains is float rounding alone; the bound says so with room to spare.
        PyTorchFixture.AssertClose(Truth.Logits("probe_logits"), logits, classes: 10, relative: 1e-4f);
    }

    [Fact]
    public void MNIST_top1_is_PyTorchs_dynamic_top1_within_0_05_points()
    {
        IPassDriver driver = Dynamic();
        var test = CompiledModels.Mnist.Value.Test;
        Tensor images = test.ToTensor(0, test.Count);
        var logits = new float[test.Count * 10];
        driver.Forward(images.Data, logits, test.Count);

        double top1 = 100.0 * CompiledModels.Correct(logits, test.Labels) / test.Count;
        double pytorch = Truth.Number("dynamic_top1_percent");
        Assert.True(Math.Abs(top1 - pytorch) <= 0.05, $"QuantGen {top1:F2} %, PyTorch {pytorch:F2} %");
        Assert.True(top1 > 90, $"{top1:F2} %"); // not vacuous: a trained model
    }

    [Fact]
    public void A_batch_equals_the_eager_dynamic_model_run_one_sample_at_a_time_bit_for_bit()
    {
        IPassDriver driver = Dynamic();
        const int images = 256;
        Tensor batch = CompiledModels.Mnist.Value.Test.ToTensor(0, images);

        // Eager dynamic quantizes each call's input from its whole range: one sample per call is the generated pass's rule.
        var eager = new float[images * 10];
        for (int i = 0; i < images; i++) driver.Model.Forward(CompiledModels.Mnist.Value.Test.ToTensor(i, 1)).Data.CopyTo(eager, i * 10);
        Assert.IsType<DynamicQuantizedLinear>(((QuantGen.Nn.Layer)driver.Model.GetSubmodule("fc1")!).Substitute);

        var generated = new float[eager.Length];
        driver.Forward(batch.Data, generated, images);
        CompiledModels.AssertBits(eager, generated);

        var split = new float[eager.Length];
        driver.MaxThreads = 2;
        driver.Forward(batch.Data, split, images);
        CompiledModels.AssertBits(eager, split);
    }

    [Fact]
    public void Forward_allocates_nothing()
    {
        IPassDriver driver = Dynamic();
        float[] image = CompiledModels.Mnist.Value.Test.ToTensor(0, 1).Data;
        var logits = new float[10];
        Assert.Equal(0, CompiledModels.AllocatedBy100Calls(() => driver.Forward(image, logits)));
    }
}
