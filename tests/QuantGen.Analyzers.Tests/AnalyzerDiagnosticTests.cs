using Microsoft.CodeAnalysis;
using QuantGen.Analyzers.Tests.Infrastructure;
using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Analyzers.Tests;

/// <summary>Each analyzer diagnostic: that it fires (ID, severity, message, the text it points at) and that it does not on correct code.</summary>
public sealed class AnalyzerDiagnosticTests
{
    private static List<Diagnostic> Analyze(string source)
    {
        AnalyzerRun run = AnalyzerHarness.Run(source);
        Assert.Empty(run.Exceptions);
        return [.. run.Qg.OrderBy(d => d.Location.SourceSpan.Start)];
    }

    private static string At(Diagnostic diagnostic) => diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan);

    [Fact]
    public void A_correct_model_gets_no_diagnostic()
    {
        Assert.Empty(Analyze(Models.Clean));
    }

    [Fact]
    public void LayerNorm_and_Softmax_are_float_islands_with_their_round_trip()
    {
        List<Diagnostic> found = Analyze(Models.Attention);

        Assert.Equal(["QG0009", "QG0009"], found.Select(d => d.Id));
        Assert.All(found, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.Equal("'norm' (LayerNorm) has no int8 kernel and runs in float: a dequantize + quantize round trip of 256 values per sample", found[0].GetMessage());
        Assert.Equal("new(32)", At(found[0]));
        Assert.Equal("'softmax' (Softmax) has no int8 kernel and runs in float: a dequantize + quantize round trip of 256 values per sample", found[1].GetMessage());
        Assert.Equal("new()", At(found[1]));
        Assert.Equal("docs/diagnostics.md#qg0009", found[0].Descriptor.HelpLinkUri);
    }

    [Fact]
    public void The_TinyAttention_sample_has_two_float_islands_and_suppresses_them_with_a_justification()
    {
        string sample = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TinyAttention.cs"));

        string unsuppressed = string.Join('\n', sample.Split('\n').Where(line => !line.Contains("[SuppressMessage(", StringComparison.Ordinal)));

        Assert.Empty(Analyze(sample));
        List<Diagnostic> found = Analyze(unsuppressed);
        Assert.Equal(["QG0009", "QG0009"], found.Select(d => d.Id));
        Assert.Contains("[SuppressMessage(\"QuantGen.Int8\", \"QG0009:Float island\", Justification = ", sample);
    }

    [Fact]
    public void A_float_island_is_an_error_under_Strict()
    {
        List<Diagnostic> found = Analyze(Models.With(Models.Attention, "[Quantize(QuantMode.Static)]", "[Quantize(QuantMode.Static, Strict = true)]"));

        Assert.Equal(["QG0009", "QG0009"], found.Select(d => d.Id));
        Assert.All(found, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
    }

    [Fact]
    public void A_dynamic_model_has_no_float_islands()
    {
        Assert.DoesNotContain(Analyze(Models.With(Models.Attention, "[Quantize(QuantMode.Static)]", "[Quantize(QuantMode.Dynamic)]")), d => d.Id == "QG0009");
    }

    [Fact]
    public void An_unlisted_fusion_is_reported_once_per_pattern_at_its_first_layer()
    {
        string source = Models.With(Models.Clean, "[Fuse(\"Conv\", \"BN\", \"ReLU\")]\n", "");

        Diagnostic diagnostic = Assert.Single(Analyze(source));
        Assert.Equal("QG0010", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
        Assert.Equal("1 run of layers of 'Clean' could be fused with [Fuse(\"Conv\", \"BN\", \"ReLU\")], which the class does not list (first: 'conv' → 'bn' → 'relu')",
            diagnostic.GetMessage());
        Assert.Equal("new(1, 4, kernelSize: 3, padding: 1)", At(diagnostic));
    }

    [Fact]
    public void A_Fuse_pattern_that_matches_nothing_is_a_warning_at_the_attribute()
    {
        string source = Models.With(Models.Clean, "[Fuse(\"Linear\", \"ReLU\")]", "[Fuse(\"Linear\", \"ReLU\")]\n[Fuse(\"Conv\", \"ReLU6\")]");

        Diagnostic diagnostic = Assert.Single(Analyze(source));
        Assert.Equal("QG0011", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal("[Fuse(\"Conv\", \"ReLU6\")] matches no layers of 'Clean'", diagnostic.GetMessage());
        Assert.Equal("Fuse(\"Conv\", \"ReLU6\")", At(diagnostic));
    }

    [Fact]
    public void Dynamic_mode_without_a_Linear_is_a_warning_at_Quantize()
    {
        string source = Models.With(Models.With(Models.Clean, "[Quantize(QuantMode.Static)]", "[Quantize(QuantMode.Dynamic)]"),
            "return dequant.Forward(fcRelu.Forward(fc.Forward(Flatten(x))));", "return dequant.Forward(Flatten(x));");
        source = Models.With(source, "readonly Linear fc = new(4 * 8 * 8, 10);", "");

        Diagnostic diagnostic = Assert.Single(Analyze(source), d => d.Id != "QG0011");
        Assert.Equal("QG0012", diagnostic.Id);
        Assert.Equal("'Clean' uses QuantMode.Dynamic but has no Linear layer; dynamic quantization converts only Linear layers, so nothing would be quantized",
            diagnostic.GetMessage());
        Assert.Equal("Quantize(QuantMode.Dynamic)", At(diagnostic));
    }

    [Fact]
    public void Dynamic_mode_with_a_Linear_is_fine()
    {
        Assert.Empty(Analyze(Models.With(Models.Clean, "[Quantize(QuantMode.Static)]", "[Quantize(QuantMode.Dynamic)]")));
    }

    [Fact]
    public void A_shape_mismatch_is_the_generators_and_carries_the_inferred_count_for_its_fix()
    {
        GeneratorRun run = GeneratorHarness.Run(Models.With(Models.Clean, "new(4 * 8 * 8, 10)", "new(100, 10)"));
        Diagnostic diagnostic = Assert.Single(run.Qg);

        Assert.Equal("QG0004", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("'fc' (Linear) expects 100 input features, but its input has 256 (from [4, 8, 8] after 'Flatten')", diagnostic.GetMessage());
        Assert.Equal("256", diagnostic.Properties[FixPropertyKey]);
        Assert.Empty(run.Analyzers.Qg);
    }

    [Fact]
    public void Not_partial_and_missing_InputShape_are_the_generators_errors_on_the_class_name()
    {
        GeneratorRun notPartialRun = GeneratorHarness.Run(Models.With(Models.Clean, "sealed partial class", "sealed class"));
        Diagnostic notPartial = Assert.Single(notPartialRun.Qg);
        Assert.Equal(("QG0001", DiagnosticSeverity.Error), (notPartial.Id, notPartial.Severity));
        Assert.Equal("'Clean' has [Quantize] but is not partial; add 'partial' so that the generated code can extend it", notPartial.GetMessage());

        GeneratorRun noShapeRun = GeneratorHarness.Run(Models.With(Models.Clean, "[InputShape(1, 8, 8)]", ""));
        Diagnostic noShape = Assert.Single(noShapeRun.Qg);
        Assert.Equal(("QG0002", DiagnosticSeverity.Error), (noShape.Id, noShape.Severity));
        Assert.Equal("1, 28, 28", noShape.Properties[FixPropertyKey]); // the first Conv2d's one input channel, at a placeholder size

        foreach (GeneratorRun run in new[] { notPartialRun, noShapeRun })
        {
            Assert.Equal("Clean", run.Input.SyntaxTrees[0].GetText().ToString(run.Qg.Single().Location.SourceSpan));
            Assert.Empty(run.Analyzers.Qg);
            Assert.Empty(run.Sources);
        }
    }

    /// <summary>The property key the fixers read (QuantGen.Analyzers.FixProperties.Value, internal to the analyzers).</summary>
    private const string FixPropertyKey = "QuantGen.FixValue";
}
