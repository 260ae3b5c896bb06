using Microsoft.CodeAnalysis;
using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Generator.Tests;

/// <summary>Each QG diagnostic: its ID, severity, message and where it points.</summary>
public sealed class DiagnosticTests
{
    private static GeneratorRun RunWith(string from, string to)
    {
        Assert.Contains(from, Sources.SmallCnn);
        return GeneratorHarness.Run(Sources.SmallCnn.Replace(from, to), "SmallCnn.cs");
    }

    private static Diagnostic Single(GeneratorRun run, string id)
    {
        Assert.Null(run.Exception);
        Assert.Empty(run.Analyzers.Exceptions);
        // What the user sees: the generator's diagnostics and the analyzers' (QG0009–QG0012 are theirs).
        Diagnostic diagnostic = Assert.Single(run.Reported);
        Assert.Equal(id, diagnostic.Id);
        return diagnostic;
    }

    /// <summary>
    /// The source text a diagnostic points at. The generator reports from its own pipeline output, with the
    /// location as data (path, span, line span), so it is found by path (the analyzers' are in the tree itself).
    /// </summary>
    private static string At(GeneratorRun run, Diagnostic diagnostic)
    {
        FileLinePositionSpan lines = diagnostic.Location.GetLineSpan();
        SyntaxTree tree = run.Input.SyntaxTrees.Single(t => t.FilePath == lines.Path);
        Assert.Equal(lines.Span, tree.GetLineSpan(diagnostic.Location.SourceSpan).Span);
        return tree.GetText().ToString(diagnostic.Location.SourceSpan);
    }

    [Fact]
    public void Linear_of_100_after_a_flatten_of_784_is_a_shape_error_naming_both_numbers_at_the_argument()
    {
        GeneratorRun run = RunWith("new(16 * 7 * 7, 32)", "new(100, 10)");

        Diagnostic diagnostic = Single(run, "QG0004");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("'fc1' (Linear) expects 100 input features, but its input has 784 (from [16, 7, 7] after 'Flatten')", diagnostic.GetMessage());
        Assert.Equal("100", At(run, diagnostic));
        Assert.Equal("SmallCnn.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Conv_channels_that_do_not_follow_are_a_shape_error_with_the_producer()
    {
        GeneratorRun run = RunWith("new(8, 16, kernelSize: 3, padding: 1)", "new(inChannels: 4, outChannels: 16, kernelSize: 3, padding: 1)");

        Diagnostic diagnostic = Single(run, "QG0004");
        Assert.Equal("'conv2' (Conv2d) expects 4 input channels, but its input has 8 (shape [8, 14, 14] after 'pool1')", diagnostic.GetMessage());
        Assert.Equal("inChannels: 4", At(run, diagnostic));
    }

    [Fact]
    public void A_kernel_bigger_than_its_input_is_a_shape_error_at_the_call()
    {
        GeneratorRun run = RunWith("new(8, 16, kernelSize: 3, padding: 1)", "new(8, 16, kernelSize: 15)");

        Diagnostic diagnostic = Single(run, "QG0004");
        Assert.Contains("expects an input of at least 15 × 15", diagnostic.GetMessage());
        Assert.Equal("conv2.Forward(x)", At(run, diagnostic));
    }

    [Fact]
    public void A_zero_stride_is_an_invalid_layer_argument()
    {
        GeneratorRun run = RunWith("new(2);\n    readonly Conv2d conv2", "new(2, stride: 0);\n    readonly Conv2d conv2");

        Diagnostic diagnostic = Single(run, "QG0006");
        Assert.Equal("'pool1' (MaxPool2d) cannot be built: stride must be positive, got 0", diagnostic.GetMessage());
        Assert.Equal("stride: 0", At(run, diagnostic));
    }

    [Fact]
    public void Missing_InputShape_is_an_error_on_the_class_name()
    {
        GeneratorRun run = RunWith("[InputShape(1, 28, 28)]", "");

        Diagnostic diagnostic = Single(run, "QG0002");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains("'SmallCnn' has [Quantize] but no [InputShape]", diagnostic.GetMessage());
        Assert.Equal("SmallCnn", At(run, diagnostic));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void A_class_that_is_not_partial_is_an_error_on_the_class_name()
    {
        GeneratorRun run = RunWith("public sealed partial class", "public sealed class");

        Diagnostic diagnostic = Single(run, "QG0001");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains("'SmallCnn' has [Quantize] but is not partial", diagnostic.GetMessage());
        Assert.Equal("SmallCnn", At(run, diagnostic));
        Assert.Empty(run.Sources);
    }

    [Theory]
    [InlineData("[InputShape(1, 28, 28)]", "[InputShape(1, 0, 28)]")]
    [InlineData("[InputShape(1, 28, 28)]", "[InputShape()]")]
    [InlineData("[Fuse(\"Conv\", \"BN\", \"ReLU\")]", "[Fuse(\"Conv\", \"Batch\")]")]
    [InlineData("[Fuse(\"Conv\", \"BN\", \"ReLU\")]", "[Fuse(\"Conv\")]")]
    public void Unusable_attribute_arguments_are_attribute_errors(string from, string to)
    {
        GeneratorRun run = RunWith(from, to);
        Diagnostic diagnostic = Single(run, "QG0003");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
    }

    [Theory]
    [InlineData("public const int OutputLength = 3;")]
    [InlineData("static class Shapes { }")]
    [InlineData("int InputLength() => 0;")]
    public void A_member_with_a_name_the_generated_code_declares_is_an_attribute_error_at_the_member(string member)
    {
        GeneratorRun run = RunWith("    readonly QuantStub quant", "    " + member + "\n    readonly QuantStub quant");

        Diagnostic diagnostic = Single(run, "QG0003");
        Assert.Contains("a name the generated code declares", diagnostic.GetMessage());
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void A_conditional_in_Forward_is_an_unreadable_construct_warning_at_the_statement()
    {
        GeneratorRun run = RunWith("x = Flatten(x);", "if (Training) x = Flatten(x); else x = Flatten(x);");

        Diagnostic diagnostic = Single(run, "QG0005");
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.EndsWith("this part runs through the eager path", diagnostic.GetMessage());
        Assert.StartsWith("if (Training)", At(run, diagnostic));
    }

    [Fact]
    public void Under_Strict_an_unreadable_construct_is_an_error()
    {
        GeneratorRun run = GeneratorHarness.Run(Sources.SmallCnn
            .Replace("[Quantize(QuantMode.Static)]", "[Quantize(QuantMode.Static, Strict = true)]")
            .Replace("x = Flatten(x);", "if (Training) x = Flatten(x); else x = Flatten(x);"), "SmallCnn.cs");

        Diagnostic diagnostic = Single(run, "QG0005");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.DefaultSeverity);
    }

    [Fact]
    public void A_non_constant_argument_is_an_unreadable_construct_warning_at_the_argument()
    {
        GeneratorRun run = RunWith("new(32, 10)", "new(32, System.Environment.ProcessorCount)");

        Diagnostic diagnostic = Single(run, "QG0005");
        Assert.Contains("'outFeatures' of 'fc2', which is not a constant", diagnostic.GetMessage());
        Assert.Equal("System.Environment.ProcessorCount", At(run, diagnostic));
    }

    [Fact]
    public void A_method_of_the_user_named_Flatten_is_not_taken_for_the_runtime_one()
    {
        GeneratorRun run = RunWith("public override Tensor Forward", "static Tensor Flatten(Tensor t) => t;\n\n    public override Tensor Forward");

        Diagnostic diagnostic = Single(run, "QG0005");
        Assert.Contains("the call 'Flatten(x)' in Forward", diagnostic.GetMessage());
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Every_diagnostic_has_a_help_link_to_its_section()
    {
        GeneratorRun run = RunWith("new(16 * 7 * 7, 32)", "new(100, 10)");

        Assert.Equal("docs/diagnostics.md#qg0004", Assert.Single(run.Reported).Descriptor.HelpLinkUri);
    }
}
