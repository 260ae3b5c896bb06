using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Generator.Tests;

/// <summary>
/// Code the compiler alone accepts, nested or recursive far beyond any model: the generator stops with QG0005 at its
/// budgets, long before a stack runs out (a stack overflow would kill the compiler). Reproducers of issue 16: 2,000
/// nested <c>new Sequential(…)</c> crashed csc with the generator in it.
/// </summary>
public sealed class NestingBudgetTests
{
    /// <summary>SmallCnn with <paramref name="from"/> replaced, compiled as csc does on its main thread (8 MB of stack on Linux).</summary>
    private static GeneratorRun RunDeep(string from, string to)
    {
        Assert.Contains(from, Sources.SmallCnn);
        string source = Sources.SmallCnn.Replace(from, to);
        return Mutations.OnStack(Mutations.CompilerStack, () =>
        {
            // Bound on this thread alone: a concurrent build hands methods to thread-pool threads, whose stacks are far
            // smaller than csc's main thread's, and the 2,000-deep chain was then CS8078 in one run and fine in the next.
            CSharpCompilation compilation = GeneratorHarness.Compilation(GeneratorHarness.Tree(source, "SmallCnn.cs"));
            GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.NewDriver(), compilation.WithOptions(compilation.Options.WithConcurrentBuild(false)));
            // The compiler alone accepts the code: whatever the generator says, it is not that the code is wrong.
            Assert.Empty(run.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            _ = run.Analyzers;
            return run;
        });
    }

    private static Diagnostic Stopped(GeneratorRun run)
    {
        Assert.Null(run.Exception);
        Assert.Empty(run.Analyzers.Exceptions);
        Assert.Empty(run.Sources);
        return Assert.Single(run.Qg);
    }

    private static string Nested(string open, string inner, string close, int depth) =>
        string.Concat(Enumerable.Repeat(open, depth)) + inner + string.Concat(Enumerable.Repeat(close, depth));

    [Fact]
    public void Two_thousand_nested_Sequentials_are_a_diagnostic_not_a_crash()
    {
        GeneratorRun run = RunDeep("readonly ReLU relu3 = new();", $"readonly Sequential relu3 = {Nested("new Sequential(", "new ReLU()", ")", 2000)};");

        Diagnostic diagnostic = Stopped(run);
        Assert.Equal("QG0005", diagnostic.Id);
        Assert.Contains($"nested more than {200} syntax levels deep in one member, at 'new Sequential(new Sequential(", diagnostic.GetMessage());
    }

    [Fact]
    public void A_Forward_of_a_thousand_nested_calls_is_a_diagnostic_not_a_crash()
    {
        // A thousand, five times the budget: at 2,000 the compiler's own binder ran out of its stack guard's margin on
        // 8 MB (CS8078) in some full runs and not in others, most likely while its methods were not yet optimized (larger frames).
        GeneratorRun run = RunDeep("x = Flatten(x);", $"x = Flatten(x); x = {Nested("relu3.Forward(", "x", ")", 1000)};");

        Diagnostic diagnostic = Stopped(run);
        Assert.Equal("QG0005", diagnostic.Id);
        Assert.Contains("at 'relu3.Forward(relu3.Forward(", diagnostic.GetMessage());
    }

    [Fact]
    public void Statements_nested_two_thousand_deep_are_a_diagnostic_not_a_crash()
    {
        GeneratorRun run = RunDeep("x = quant.Forward(x);", Nested("{ ", "x = quant.Forward(x);", " }", 2000));

        Assert.Contains("syntax levels deep in one member", Stopped(run).GetMessage());
    }

    [Fact]
    public void A_chain_of_two_thousand_static_fields_stops_at_the_evaluation_budget()
    {
        // Each field is shallow; reading the first reads the next, and so on: recursion without nesting in any member.
        string fields = string.Concat(Enumerable.Range(0, 2000).Select(i => $"static readonly int S{i} = S{i + 1};\n")) + "static readonly int S2000 = 32;\n";

        GeneratorRun run = RunDeep("readonly Linear fc1 = new(16 * 7 * 7, 32);", fields + "readonly Linear fc1 = new(16 * 7 * 7, S0);");

        Assert.Contains($"evaluation nests more than {300} levels deep", Stopped(run).GetMessage());
    }

    [Fact]
    public void A_chain_of_two_hundred_helper_methods_stops_at_the_call_depth()
    {
        string helpers = string.Concat(Enumerable.Range(0, 200).Select(i => $"static int H{i}() => H{i + 1}();\n")) + "static int H200() => 32;\n";

        GeneratorRun run = RunDeep("readonly Linear fc1 = new(16 * 7 * 7, 32);", helpers + "readonly Linear fc1 = new(16 * 7 * 7, H0());");

        Assert.Contains("calls nested more than 64 deep", Stopped(run).GetMessage());
    }

    [Fact]
    public void A_tuple_nested_by_a_loop_stops_before_printing_it_would_recurse()
    {
        // No member nests: the loop nests the value, and an interpolation would print it recursively.
        const string helper = "static string Nest() { object t = 1; for (int i = 0; i < 5000; i++) t = (t, 1); return $\"{t}\"; }\n";

        GeneratorRun run = RunDeep("readonly Linear fc1 = new(16 * 7 * 7, 32);", helper + "readonly Linear fc1 = new(16 * 7 * 7, Nest().Length);");

        Assert.Contains("a tuple nested more than 32 deep", Stopped(run).GetMessage());
    }

    [Fact]
    public void Within_the_budgets_deep_code_still_generates_on_a_small_stack()
    {
        // A Forward of 60 nested calls and an expression of 60 nested parentheses: deeper than any real model, within
        // the budgets, read on the 1 MB stack Windows gives a thread (the interpreter brings its own).
        string source = Sources.SmallCnn
            .Replace("x = Flatten(x);", $"x = Flatten(x); x = {Nested("relu3.Forward(", "x", ")", 60)};")
            .Replace("new(16 * 7 * 7, 32)", $"new(16 * 7 * 7, {Nested("(", "32", ")", 60)})");

        GeneratorRun run = Mutations.OnStack(1024 * 1024, () => GeneratorHarness.Run(source, "SmallCnn.cs"));

        Assert.Null(run.Exception);
        Assert.Empty(run.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Empty(run.Qg);
        // relu3 runs 61 times: 61 steps of its own, in the Int8 pass and again in the Float pass.
        Assert.Equal(2 * 61, Assert.Single(run.Sources).Text.Split('\n').Count(line => line.Contains("private void Relu3", StringComparison.Ordinal)));
        Assert.Empty(run.GeneratedCodeProblems);
    }
}
