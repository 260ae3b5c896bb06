using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The mean over a dimension in <c>Forward</c>, as <c>Functional.Mean(x, dim, keepDim)</c> or <c>x.Mean(dim)</c>: its
/// shapes, its float step, and the diagnostics when it cannot run.
/// </summary>
public sealed class MeanOpTests
{
    private static string Model(string mean, string mode = "Dynamic") => $$"""
        using QuantGen;
        using QuantGen.Nn;

        namespace Sample;

        [Quantize(QuantMode.{{mode}})]
        [InputShape(28, 28)]
        public sealed partial class Tokens : Module
        {
            readonly Linear embed = new(28, 16);
            readonly Linear head = new(16, 10);

            public override Tensor Forward(Tensor x) => head.Forward({{mean}});
        }
        """;

    [Theory]
    [InlineData("embed.Forward(x).Mean(1)")]
    [InlineData("Functional.Mean(embed.Forward(x), dim: 1)")]
    [InlineData("Functional.Mean(embed.Forward(x), -2)")]
    public void A_mean_over_the_tokens_leaves_their_features_and_runs_in_the_float_and_dynamic_passes(string mean)
    {
        GeneratorRun run = GeneratorHarness.Run(Model(mean));

        Assert.Null(run.Exception);
        Assert.Empty(run.Qg);
        Assert.Empty(run.GeneratedCodeProblems);
        string text = run.Source("Sample.Tokens.g.cs");
        Assert.Contains("public const int EmbedLength = 448;", text); // [28, 16]
        Assert.Contains("public const int OutputLength = 10;", text);
        Assert.Contains("CompiledFloatMean.Create(size: 28, inner: 16)", text);
        Assert.Contains("the mean of 28 values along dimension", text);
    }

    [Fact]
    public void KeepDim_keeps_the_dimension_with_size_1()
    {
        GeneratorRun run = GeneratorHarness.Run(Model("Functional.Mean(embed.Forward(x), 1, keepDim: true).Mean(1)"));

        Assert.Empty(run.Qg);
        string text = run.Source("Sample.Tokens.g.cs");
        Assert.Contains("CompiledFloatMean.Create(size: 28, inner: 16)", text);
        Assert.Contains("CompiledFloatMean.Create(size: 1, inner: 16)", text);
    }

    [Theory]
    [InlineData("Functional.Mean(embed.Forward(x), 0)", "averages over the batch")]
    [InlineData("Functional.Mean(embed.Forward(x), 3)", "out of range for inputs of 3 dimensions")]
    public void A_dimension_outside_a_sample_is_QG0006_at_the_argument(string mean, string why)
    {
        GeneratorRun run = GeneratorHarness.Run(Model(mean));

        Assert.Null(run.Exception);
        var diagnostic = Assert.Single(run.Qg);
        Assert.Equal("QG0006", diagnostic.Id);
        Assert.Contains(why, diagnostic.GetMessage());
        string at = run.Input.SyntaxTrees.Single(t => t.FilePath == diagnostic.Location.GetLineSpan().Path).GetText().ToString(diagnostic.Location.SourceSpan);
        Assert.Equal(mean.Split(", ")[1].TrimEnd(')'), at);
    }

    [Fact]
    public void A_static_model_has_no_int8_pass_and_says_the_mean_has_no_int8_form()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using QuantGen;
            using QuantGen.Nn;
            using QuantGen.Quantization;

            namespace Sample;

            [Quantize(QuantMode.Static)]
            [InputShape(28, 28)]
            public sealed partial class Tokens : Module
            {
                readonly QuantStub quant = new();
                readonly Linear embed = new(28, 16);
                readonly DeQuantStub dequant = new();

                public override Tensor Forward(Tensor x) => dequant.Forward(Functional.Mean(embed.Forward(quant.Forward(x)), 1));
            }
            """);

        Assert.Null(run.Exception);
        var noInt8 = Assert.Single(run.Qg);
        Assert.Equal("QG0008", noInt8.Id);
        Assert.Contains("'Functional.Mean' (Mean) has no int8 form", noInt8.GetMessage());
        Assert.Empty(run.GeneratedCodeProblems);
        Assert.Contains("CompiledFloatMean.Create(size: 28, inner: 16)", run.Source("Sample.Tokens.g.cs")); // its Float pass runs it
    }
}
