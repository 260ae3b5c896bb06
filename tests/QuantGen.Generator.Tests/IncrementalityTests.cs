using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Generator.Tests;

/// <summary>The tracked steps' run reasons after an edit elsewhere and after an edit to the model.</summary>
public sealed class IncrementalityTests
{
    private static (GeneratorRun First, CSharpCompilation Compilation, SyntaxTree Model, SyntaxTree Other) Start()
    {
        SyntaxTree model = GeneratorHarness.Tree(Sources.SmallCnn, "SmallCnn.cs");
        SyntaxTree other = GeneratorHarness.Tree("namespace Elsewhere; public static class Other { public const int A = 1; }", "Other.cs");
        CSharpCompilation compilation = GeneratorHarness.Compilation(model, other);
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.NewDriver(), compilation);
        Assert.Single(first.Sources);
        return (first, compilation, model, other);
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRun run, string step) =>
        run.Driver.GetRunResult().Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    [Fact]
    public void An_edit_to_an_unrelated_file_does_not_rerun_the_emitter()
    {
        (GeneratorRun first, CSharpCompilation compilation, _, SyntaxTree other) = Start();

        SyntaxTree edited = GeneratorHarness.Tree("namespace Elsewhere; public static class Other { public const int A = 2; public const int B = 3; }", "Other.cs");
        GeneratorRun second = GeneratorHarness.Run(first.Driver, compilation.ReplaceSyntaxTree(other, edited));

        Assert.All(Reasons(second, TrackingNames.Emit), reason => Assert.Contains(reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        Assert.All(Reasons(second, TrackingNames.Plan), reason => Assert.Contains(reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        Assert.NotEmpty(Reasons(second, TrackingNames.Emit));
        Assert.Equal(first.Sources.ToArray(), second.Sources.ToArray());
    }

    [Fact]
    public void After_an_unrelated_edit_MobileNetV2s_parse_is_equal_and_every_later_step_is_cached()
    {
        SyntaxTree other = GeneratorHarness.Tree("namespace Elsewhere; public static class Other { public const int A = 1; }", "Other.cs");
        SyntaxTree[] trees = [GeneratorHarness.Tree(SampleSources.ImplicitUsings, "GlobalUsings.g.cs"),
            .. SampleSources.MobileNetV2Files.Select(file => GeneratorHarness.Tree(SampleSources.Read(file), file)), other];
        CSharpCompilation compilation = GeneratorHarness.Compilation(trees);
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.NewDriver(), compilation);
        Assert.Single(first.Sources);

        SyntaxTree edited = GeneratorHarness.Tree("namespace Elsewhere; public static class Other { public const int A = 2; }", "Other.cs");
        GeneratorRun second = GeneratorHarness.Run(first.Driver, compilation.ReplaceSyntaxTree(other, edited));

        // The attribute's transform and the compilation's options are read again after any edit (the semantic model
        // may have changed); their outputs compare equal — the model, op descriptors included, is equatable — so
        // nothing after them runs.
        foreach (string step in new[] { TrackingNames.Parse, TrackingNames.AllowUnsafe })
        {
            Assert.All(Reasons(second, step), reason => Assert.Contains(reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        }

        foreach (string step in new[] { TrackingNames.Plan, TrackingNames.Int8Plan, TrackingNames.FloatPlan, TrackingNames.Diagnostics, TrackingNames.Emittable, TrackingNames.Emit })
        {
            Assert.NotEmpty(Reasons(second, step));
            Assert.All(Reasons(second, step), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        }

        Assert.Equal(first.Sources.ToArray(), second.Sources.ToArray());
    }

    [Fact]
    public void A_comment_in_the_model_file_reparses_but_emits_nothing_new()
    {
        (GeneratorRun first, CSharpCompilation compilation, SyntaxTree model, _) = Start();

        SyntaxTree edited = GeneratorHarness.Tree(Sources.SmallCnn.Replace("namespace Sample;", "namespace Sample; // a comment"), "SmallCnn.cs");
        GeneratorRun second = GeneratorHarness.Run(first.Driver, compilation.ReplaceSyntaxTree(model, edited));

        // Locations moved, so the parse and plan are new; the emitted text does not change.
        Assert.All(Reasons(second, TrackingNames.Emit), reason => Assert.Contains(reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
    }

    [Fact]
    public void A_real_edit_to_the_model_reruns_the_emitter()
    {
        (GeneratorRun first, CSharpCompilation compilation, SyntaxTree model, _) = Start();

        SyntaxTree edited = GeneratorHarness.Tree(Sources.SmallCnn.Replace("new(32, 10)", "new(32, 12)"), "SmallCnn.cs");
        GeneratorRun second = GeneratorHarness.Run(first.Driver, compilation.ReplaceSyntaxTree(model, edited));

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.Emit));
        Assert.Contains("public const int OutputLength = 12;", Assert.Single(second.Sources).Text);
    }

    [Fact]
    public void An_edit_to_a_block_class_in_another_file_reruns_the_emitter()
    {
        // MobileNetV2's blocks live in their own files; the model is read through them, so editing a block must
        // reach the generated code even though the annotated class's file is unchanged.
        SyntaxTree[] trees = [GeneratorHarness.Tree(SampleSources.ImplicitUsings, "GlobalUsings.g.cs"),
            .. SampleSources.MobileNetV2Files.Select(file => GeneratorHarness.Tree(SampleSources.Read(file), file))];
        CSharpCompilation compilation = GeneratorHarness.Compilation(trees);
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.NewDriver(), compilation);
        Assert.Empty(first.GeneratorDiagnostics);

        SyntaxTree block = trees.Single(t => t.FilePath == "ConvBNReLU.cs");
        string text = block.ToString();
        Assert.Contains("new ReLU(inplace: true)", text);
        SyntaxTree edited = GeneratorHarness.Tree(text.Replace("new ReLU(inplace: true)", "new ReLU6(inplace: true)"), "ConvBNReLU.cs");
        GeneratorRun second = GeneratorHarness.Run(first.Driver, compilation.ReplaceSyntaxTree(block, edited));

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.Emit));
        Assert.DoesNotContain("ReLU6", Assert.Single(first.Sources).Text);
        Assert.Contains("ReLU6", Assert.Single(second.Sources).Text);
    }
}
