using QuantGen.Analyzers.CodeFixes;
using QuantGen.Analyzers.Tests.Infrastructure;

namespace QuantGen.Analyzers.Tests;

/// <summary>Each code fix: the source before, the source after, and Fix All in a document.</summary>
public sealed class CodeFixTests
{
    [Theory]
    [InlineData("public sealed class Clean", "public sealed partial class Clean")]
    [InlineData("public sealed class Clean", "public sealed partial class Clean", "class Clean")]
    public void Partial_is_added_as_the_last_modifier(string before, string after, string? written = null)
    {
        string source = Models.With(Models.Clean, "public sealed partial class Clean", written ?? before);
        string expected = Models.With(Models.Clean, "public sealed partial class Clean", written is null ? after : "partial class Clean");

        Assert.Equal(expected, FixHarness.FixOne(new AddPartialFixer(), source, "QG0001"));
    }

    [Fact]
    public void InputShape_is_added_after_Quantize_from_the_first_Conv2d()
    {
        string source = Models.With(Models.Clean, "[InputShape(1, 8, 8)]\n", "");

        string fixedSource = FixHarness.FixOne(new AddInputShapeFixer(), source, "QG0002");

        Assert.Equal(Models.With(source, "[Quantize(QuantMode.Static)]\n", "[Quantize(QuantMode.Static)]\n[InputShape(1, 28, 28)]\n"), fixedSource);
    }

    [Fact]
    public void InputShape_of_a_model_that_starts_with_a_Linear_is_its_input_features()
    {
        string source = Models.With(Models.Attention, "[InputShape(8, 16)]\n", "");

        string fixedSource = FixHarness.FixOne(new AddInputShapeFixer(), source, "QG0002");

        Assert.Equal(Models.With(source, "[Quantize(QuantMode.Static)]\n", "[Quantize(QuantMode.Static)]\n[InputShape(16)]\n"), fixedSource);
    }

    [Fact]
    public void A_count_argument_gets_the_inferred_value()
    {
        string source = Models.With(Models.Clean, "new(4 * 8 * 8, 10)", "new(100, 10)");

        Assert.Equal(Models.With(Models.Clean, "new(4 * 8 * 8, 10)", "new(256, 10)"), FixHarness.FixOne(new CorrectInputCountFixer(), source, "QG0004"));
    }

    [Fact]
    public void A_named_channel_argument_keeps_its_name()
    {
        string source = Models.With(Models.Clean, "new(4);", "new(numFeatures: 6);");

        Assert.Equal(Models.With(Models.Clean, "new(4);", "new(numFeatures: 4);"), FixHarness.FixOne(new CorrectInputCountFixer(), source, "QG0004"));
    }

    [Fact]
    public void A_mismatch_that_is_not_at_a_count_argument_has_no_fix()
    {
        string source = Models.With(Models.Clean, "new(1, 4, kernelSize: 3, padding: 1)", "new(1, 4, kernelSize: 11)");

        Assert.False(FixHarness.Offers(new CorrectInputCountFixer(), source, "QG0004"));
    }

    [Fact]
    public void A_misspelled_KeepFloat_path_becomes_the_closest_module_path()
    {
        string source = Models.With(Models.Clean, "[InputShape(1, 8, 8)]\n", "[InputShape(1, 8, 8)]\n[KeepFloat(\"conv\", \"fcc\")]\n");

        Assert.Equal(Models.With(source, "\"fcc\"", "\"fc\""), FixHarness.FixOne(new ClosestKeepFloatPathFixer(), source, "QG0015"));
    }

    [Fact]
    public void The_suggested_Fuse_is_added_after_the_last_Fuse()
    {
        string source = Models.With(Models.Clean, "[Fuse(\"Conv\", \"BN\", \"ReLU\")]\n", "");

        Assert.Equal(Models.With(source, "[Fuse(\"Linear\", \"ReLU\")]\n", "[Fuse(\"Linear\", \"ReLU\")]\n[Fuse(\"Conv\", \"BN\", \"ReLU\")]\n"),
            FixHarness.FixOne(new AddFusePatternFixer(), source, "QG0010"));
    }

    [Fact]
    public void Fix_all_adds_every_suggested_Fuse_once_to_each_class()
    {
        string first = Models.With(Models.Clean, "[Fuse(\"Conv\", \"BN\", \"ReLU\")]\n[Fuse(\"Linear\", \"ReLU\")]\n", "");
        string second = Models.With(Models.With(first, "namespace Sample;\n", ""), "class Clean", "class Other").Replace("using QuantGen;\nusing QuantGen.Nn;\nusing QuantGen.Quantization;\n", "");

        string fixedSource = FixHarness.FixAll(new AddFusePatternFixer(), first + "\n" + second);

        string expectedClass = "[Quantize(QuantMode.Static)]\n[Fuse(\"Conv\", \"BN\", \"ReLU\")]\n[Fuse(\"Linear\", \"ReLU\")]\n[InputShape(1, 8, 8)]\n";
        Assert.Equal(2, fixedSource.Split(expectedClass).Length - 1);
    }

    [Fact]
    public void Fix_all_makes_every_class_partial()
    {
        string one = Models.With(Models.Clean, "public sealed partial class Clean", "public sealed class Clean");
        string two = one.Replace("class Clean", "class Other").Replace("using QuantGen;\nusing QuantGen.Nn;\nusing QuantGen.Quantization;\n\nnamespace Sample;\n", "");

        string fixedSource = FixHarness.FixAll(new AddPartialFixer(), one + "\n" + two);

        Assert.Contains("public sealed partial class Clean", fixedSource);
        Assert.Contains("public sealed partial class Other", fixedSource);
    }

    [Fact]
    public void Fix_all_adds_InputShape_and_corrects_counts_in_every_class()
    {
        string one = Models.With(Models.Clean, "[InputShape(1, 8, 8)]\n", "");
        string two = Models.With(Models.Clean, "new(4 * 8 * 8, 10)", "new(100, 10)").Replace("class Clean", "class Other")
            .Replace("using QuantGen;\nusing QuantGen.Nn;\nusing QuantGen.Quantization;\n\nnamespace Sample;\n", "");

        string shapes = FixHarness.FixAll(new AddInputShapeFixer(), one + "\n" + two);
        Assert.Equal(2, shapes.Split("[InputShape(").Length - 1);

        string counts = FixHarness.FixAll(new CorrectInputCountFixer(), one + "\n" + two);
        Assert.Contains("new(256, 10)", counts);
        Assert.DoesNotContain("new(100, 10)", counts);
    }
}
