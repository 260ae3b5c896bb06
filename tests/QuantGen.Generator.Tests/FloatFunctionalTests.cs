using Microsoft.CodeAnalysis;
using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Nn;

namespace QuantGen.Generator.Tests;

/// <summary>
/// FloatFunctional's ops in Forward (<c>se.Mul(y, g)</c>, <c>join.Cat([a, b], 1)</c>…): their shapes are planned with
/// broadcasting, the generated Int8 pass runs each on its int8 kernel and equals eager int8 bit for bit, and a use no
/// generated pass can run (a join along the batch) is a diagnostic naming the layer and what is unsupported, never wrong
/// code. <see cref="FloatFunctionalGeneralCasesTests"/> has the broadcasts and joins beyond the dedicated kernels.
/// </summary>
public sealed class FloatFunctionalTests
{
    private const string Source = """
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Quantization;

        namespace Sample;

        [Quantize(QuantMode.Static)]
        [InputShape(1, 8, 8)]
        public sealed partial class FfNet : Module
        {
            readonly QuantStub quant = new();
            readonly Conv2d conv1 = new(1, 8, kernelSize: 3, padding: 1);
            readonly Conv2d conv2 = new(8, 8, kernelSize: 3, padding: 1);
            readonly AdaptiveAvgPool2d squeeze = new(1);
            readonly Conv2d excite = new(8, 8, kernelSize: 1);
            readonly Hardsigmoid gate = new();
            readonly FloatFunctional scale = new();
            readonly FloatFunctional scaleGateFirst = new();
            readonly FloatFunctional skip = new();
            readonly FloatFunctional skipRelu = new();
            readonly FloatFunctional same = new();
            readonly Conv2d branch = new(8, 4, kernelSize: 1);
            readonly FloatFunctional join = new();
            readonly FloatFunctional shift = new();
            readonly FloatFunctional flip = new();
            readonly Conv2d conv3 = new(12, 4, kernelSize: 3, padding: 1);
            readonly FloatFunctional joinRows = new();
            readonly Linear fc = new(4 * 16 * 8, 10);
            readonly DeQuantStub dequant = new();

            public override Tensor Forward(Tensor x)
            {
                x = conv1.Forward(quant.Forward(x));
                var y = conv2.Forward(x);
                var g = gate.Forward(excite.Forward(squeeze.Forward(y)));
                y = scale.Mul(y, g);
                var z = scaleGateFirst.Mul(g, x);
                x = skip.Add(y, z);
                x = skipRelu.AddRelu(x, y);
                x = same.Mul(x, z);
                x = join.Cat([x, branch.Forward(x)], 1);
                x = shift.AddScalar(x, 0.25);
                x = flip.MulScalar(x, -1.5);
                x = conv3.Forward(x);
                x = joinRows.Cat([x, x], dim: 2);
                return dequant.Forward(fc.Forward(Flatten(x)));
            }
        }
        """;

    [Fact]
    public void Every_op_runs_on_its_int8_kernel_bit_equal_to_eager_int8()
    {
        GeneratorRun run = InMemoryAssembly.Compile((Source, "FfNet.cs"), (Sources.Driver("FfNet"), "Driver.cs"));
        Assert.Empty(run.GeneratorDiagnostics);
        string generated = run.Source("Sample.FfNet.g.cs");
        Assert.Contains("scale.ForwardGate(", generated);
        Assert.Contains("scaleGateFirst.ForwardGate(", generated);
        Assert.Contains("CompiledAdd.CreateFunctional(model, \"skipRelu\"", generated);
        Assert.Contains("FusedActivation.ReLU)", generated);
        Assert.Contains("CompiledCat.Create(model, \"join\"", generated);
        Assert.Contains("rowsPerSample: 64, blocks: new[] { 8, 4 })", generated);     // a channel join: one row per pixel
        Assert.Contains("rowsPerSample: 1, blocks: new[] { 256, 256 })", generated);  // a join along the height: one row per sample
        Assert.Contains("CompiledScalar.Create(model, \"flip\"", generated);
        Assert.Contains("public const int JoinRowsLength = 512;", generated);        // [4, 16, 8]

        ICompiledDriver driver = InMemoryAssembly.Driver(run, "Sample.Driver");
        var random = new Random(1414);
        Tensor Batch(int n) => CompiledModels.RandomImages(random, n, 8, low: -2, width: 4);
        CompiledModels.SeedWeights(driver.Model, random);

        driver.Model.Eval();
        driver.Quantize([Batch(32), Batch(32)], qconfig: null);

        Tensor inputs = Batch(40);
        float[] eager = driver.Model.Forward(inputs).Data;
        float[] generatedLogits = new float[eager.Length];
        driver.Forward(inputs.Data, generatedLogits, 40);

        CompiledModels.AssertBits(eager, generatedLogits);
        Assert.True(eager.Distinct().Count() > 20, $"{eager.Distinct().Count()} distinct logits: they should vary, or the comparison proves little");
    }

    /// <summary>Also with broadcasts beyond the dedicated kernels: the float pass runs them as eager float does.</summary>
    [Theory]
    [InlineData("", "")]
    [InlineData("x = skip.Add(y, z);", "x = skip.Add(y, g);")]
    [InlineData("x = same.Mul(x, z);", "x = same.Mul(x, Functional.AdaptiveAvgPool2d(z, 8, 1));")]
    public void The_Float_pass_is_within_1e_4_of_eager_float_and_allocates_nothing(string from, string to)
    {
        GeneratorRun run = FloatPassCheck.Compile(from.Length == 0 ? Source : Source.Replace(from, to), "FfNet.cs", "FfNet");
        FloatPassCheck.AssertMatchesEagerAndAllocatesNothing(CompiledModels.PassDriver(run), CompiledModels.RandomImages(new Random(18), 8, 8, low: -2, width: 4));
    }

    /// <summary>The broadcasts QG0008 refused before PyTorch's kernels for them were in the pass: now PyTorch's bytes.</summary>
    [Theory]
    [InlineData("x = skip.Add(y, z);", "x = skip.Add(y, g);", "CompiledBroadcast.Create(model, \"skip\"")]
    [InlineData("x = same.Mul(x, z);", "x = same.Mul(x, Functional.AdaptiveAvgPool2d(z, 8, 1));", "CompiledBroadcast.Create(model, \"same\"")]
    public void A_broadcast_beyond_the_dedicated_kernels_runs_PyTorchs_kernel_for_it_bit_equal_to_eager_int8(string from, string to, string create)
    {
        GeneratorRun run = InMemoryAssembly.Compile((Source.Replace(from, to), "FfNet.cs"), (Sources.Driver("FfNet"), "Driver.cs"));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains(create, run.Source("Sample.FfNet.g.cs"));

        ICompiledDriver driver = InMemoryAssembly.Driver(run, "Sample.Driver");
        var random = new Random(1416);
        CompiledModels.SeedWeights(driver.Model, random);
        driver.Model.Eval();
        driver.Quantize([CompiledModels.RandomImages(random, 32, 8, low: -2, width: 4)], qconfig: null);
        Tensor inputs = CompiledModels.RandomImages(random, 24, 8, low: -2, width: 4);
        float[] eager = CompiledModels.EagerReference(driver.Model, inputs);
        float[] generated = new float[eager.Length];
        driver.Forward(inputs.Data, generated, 24);
        CompiledModels.AssertBits(eager, generated);
    }

    [Theory]
    [InlineData("x = join.Cat([x, branch.Forward(x)], 1);", "x = join.Cat([x, branch.Forward(x)], 0);", "QG0006", "dim 0 joins along the batch dimension")]
    [InlineData("x = join.Cat([x, branch.Forward(x)], 1);", "x = join.Cat([x, branch.Forward(x)], 2);", "QG0004", "inputs equal in every dimension but 2")]
    [InlineData("y = scale.Mul(y, g);", "y = scale.Mul(y, Flatten(g));", "QG0004", "broadcasts with [8, 8, 8]")]
    public void Bad_shapes_and_a_join_along_the_batch_are_errors_naming_the_layer(string from, string to, string id, string message)
    {
        GeneratorRun run = GeneratorHarness.Run(Source.Replace(from, to), "FfNet.cs");
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(message, diagnostic.GetMessage());
        Assert.Contains("FloatFunctional", diagnostic.GetMessage());
    }
}
