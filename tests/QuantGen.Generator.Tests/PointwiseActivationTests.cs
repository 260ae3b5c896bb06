using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Nn;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The activations whose int8 form is a lookup table, in one model between convolutions: the generated Int8 pass
/// compiles with no diagnostic, runs each as its table, and equals eager int8 bit for bit.
/// </summary>
public sealed class PointwiseActivationTests
{
    private const string Source = """
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Quantization;

        namespace Sample;

        [Quantize(QuantMode.Static)]
        [InputShape(1, 8, 8)]
        public sealed partial class ActNet : Module
        {
            readonly QuantStub quant = new();
            readonly Conv2d conv1 = new(1, 4, kernelSize: 3, padding: 1);
            readonly Hardswish hardswish = new();
            readonly Conv2d conv2 = new(4, 4, kernelSize: 3, padding: 1);
            readonly Hardsigmoid hardsigmoid = new();
            readonly Conv2d conv3 = new(4, 4, kernelSize: 3, padding: 1);
            readonly Sigmoid sigmoid = new();
            readonly Conv2d conv4 = new(4, 4, kernelSize: 3, padding: 1);
            readonly Tanh tanh = new();
            readonly Conv2d conv5 = new(4, 4, kernelSize: 3, padding: 1);
            readonly LeakyReLU leakyrelu = new(0.1f);
            readonly Conv2d conv6 = new(4, 4, kernelSize: 3, padding: 1);
            readonly ELU elu = new(alpha: 0.6f);
            readonly Conv2d conv7 = new(4, 4, kernelSize: 3, padding: 1);
            readonly Linear fc = new(256, 10);
            readonly DeQuantStub dequant = new();

            public override Tensor Forward(Tensor x)
            {
                x = hardswish.Forward(conv1.Forward(quant.Forward(x)));
                x = hardsigmoid.Forward(conv2.Forward(x));
                x = sigmoid.Forward(conv3.Forward(x));
                x = tanh.Forward(conv4.Forward(x));
                x = leakyrelu.Forward(conv5.Forward(x));
                x = elu.Forward(conv6.Forward(x));
                x = conv7.Forward(x);
                return dequant.Forward(fc.Forward(Flatten(x)));
            }
        }
        """;

    private static readonly string[] Activations = ["Hardswish", "Hardsigmoid", "Sigmoid", "Tanh", "LeakyReLU", "ELU"];

    [Fact]
    public void Each_table_activation_runs_in_the_Int8_pass_bit_equal_to_eager_int8()
    {
        GeneratorRun run = InMemoryAssembly.Compile((Source, "ActNet.cs"), (Sources.Driver("ActNet"), "Driver.cs"));
        Assert.Empty(run.GeneratorDiagnostics);
        string generated = run.Source("Sample.ActNet.g.cs");
        foreach (string kind in Activations)
        {
            Assert.Contains($"CompiledPointwise.Create<global::QuantGen.Nn.{kind}>(model, \"{kind.ToLowerInvariant()}\"", generated);
            Assert.Contains($"PyTorch's quantized {kind}.", generated);
            Assert.Contains($"public const int {kind[0]}{kind[1..].ToLowerInvariant()}Length = 256;", generated);   // [4, 8, 8], the shape passed through
        }

        ICompiledDriver driver = InMemoryAssembly.Driver(run, "Sample.Driver");
        var random = new Random(14);
        Tensor Batch(int n) => CompiledModels.RandomImages(random, n, 8, low: -4, width: 8);

        CompiledModels.SeedWeights(driver.Model, random);

        foreach (Tensor bias in driver.Model.Modules().Select(m => m switch { Conv2d c => c.Bias, Linear l => l.Bias, _ => null }).OfType<Tensor>())
        {
            for (int i = 0; i < bias.Length; i++) bias.Data[i] = random.NextSingle() * 0.2f - 0.1f;
        }

        driver.Model.Eval();
        driver.Quantize([Batch(32), Batch(32)], qconfig: null);

        Tensor inputs = Batch(40);
        float[] eager = CompiledModels.EagerReference(driver.Model, inputs);
        float[] generatedLogits = new float[eager.Length];
        driver.Forward(inputs.Data, generatedLogits, 40);

        CompiledModels.AssertBits(eager, generatedLogits);
        Assert.True(eager.Distinct().Count() > 20, $"{eager.Distinct().Count()} distinct logits: they should vary, or the comparison proves little");
    }
}
