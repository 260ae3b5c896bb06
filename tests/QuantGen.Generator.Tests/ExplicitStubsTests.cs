using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Nn;

namespace QuantGen.Generator.Tests;

/// <summary>
/// A float layer amid int8 ones, written both ways a PyTorch user may write it: left for convert to make a float
/// island, or between an explicit DeQuantStub and QuantStub as PyTorch's eager mode asks. Both generate the same int8
/// pass, equal to each other and to eager int8 bit for bit.
/// </summary>
public sealed class ExplicitStubsTests
{
    private const string Automatic = """
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Quantization;

        namespace Sample;

        [Quantize(QuantMode.Static)]
        [Fuse("Conv", "ReLU")]
        [InputShape(1, 8, 8)]
        public sealed partial class NormNet : Module
        {
            readonly QuantStub quant = new();
            readonly Conv2d conv = new(1, 4, kernelSize: 3, padding: 1);
            readonly ReLU relu = new();
            readonly LayerNorm norm = new(256);
            readonly Linear fc = new(256, 10);
            readonly DeQuantStub dequant = new();

            public override Tensor Forward(Tensor x)
            {
                x = Flatten(relu.Forward(conv.Forward(quant.Forward(x))));
                x = norm.Forward(x);
                return dequant.Forward(fc.Forward(x));
            }
        }
        """;

    // PyTorch's form: x = island_in(norm(island_out(x))), the stubs named as a ported model names them.
    private static readonly string Explicit = Automatic
        .Replace("readonly DeQuantStub dequant = new();", "readonly DeQuantStub dequant = new();\n    readonly DeQuantStub island_out = new();\n    readonly QuantStub island_in = new();")
        .Replace("x = norm.Forward(x);", "x = island_in.Forward(norm.Forward(island_out.Forward(x)));");

    [Fact]
    public void Explicit_stubs_around_a_float_layer_give_the_automatic_island_and_eager_int8_bit_for_bit()
    {
        Assert.Contains("island_out.Forward", Explicit);
        GeneratorRun automaticRun = InMemoryAssembly.Compile((Automatic, "NormNet.cs"), (Sources.Driver("NormNet"), "Driver.cs"));
        GeneratorRun explicitRun = InMemoryAssembly.Compile((Explicit, "NormNet.cs"), (Sources.Driver("NormNet"), "Driver.cs"));
        Assert.Empty(automaticRun.GeneratorDiagnostics);
        Assert.Empty(explicitRun.GeneratorDiagnostics);
        string generated = explicitRun.Source("Sample.NormNet.g.cs");
        Assert.Contains("// island_out: opens a float island", generated);
        Assert.Contains("// island_in: closes the float island", generated);
        Assert.Contains("CompiledLayerNorm.Create(model, \"norm\"", generated);

        ICompiledDriver automatic = InMemoryAssembly.Driver(automaticRun, "Sample.Driver");
        ICompiledDriver @explicit = InMemoryAssembly.Driver(explicitRun, "Sample.Driver");
        @explicit.Model.LoadStateDict(automatic.Model.StateDict());

        var random = new Random(11);
        Tensor Batch(int n) => CompiledModels.RandomImages(random, n, 8);

        Tensor[] calibration = [Batch(32), Batch(32)];
        automatic.Model.Eval();
        @explicit.Model.Eval();
        automatic.Quantize(calibration, qconfig: null);
        @explicit.Quantize(calibration, qconfig: null);

        Tensor inputs = Batch(48);
        float[] eager = CompiledModels.EagerReference(automatic.Model, inputs);
        float[] eagerExplicit = CompiledModels.EagerReference(@explicit.Model, inputs);
        float[] fromAutomatic = new float[eager.Length], fromExplicit = new float[eager.Length];
        automatic.Forward(inputs.Data, fromAutomatic, 48);
        @explicit.Forward(inputs.Data, fromExplicit, 48);

        CompiledModels.AssertBits(eager, eagerExplicit);
        CompiledModels.AssertBits(eager, fromAutomatic);
        CompiledModels.AssertBits(eager, fromExplicit);
        Assert.True(eager.Distinct().Count() > 10, "the logits should vary, or the comparison proves little");
    }

    [Theory]
    [InlineData("x = island_in.Forward(island_out.Forward(x));", "with no float layer between")]
    [InlineData("x = island_in.Forward(fc2.Forward(island_out.Forward(x)));", "has an int8 kernel but reads a float value after a DeQuantStub")]
    public void An_explicit_island_the_int8_pass_cannot_run_is_QG0008_naming_why(string forward, string why)
    {
        string source = Explicit
            .Replace("x = island_in.Forward(norm.Forward(island_out.Forward(x)));", forward)
            .Replace("readonly Linear fc = new(256, 10);", "readonly Linear fc = new(256, 10);\n    readonly Linear fc2 = new(256, 256);");

        GeneratorRun run = GeneratorHarness.Run(source, "NormNet.cs");

        Assert.Null(run.Exception);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "QG0008");
        Assert.Contains(why, diagnostic.GetMessage());
    }
}
