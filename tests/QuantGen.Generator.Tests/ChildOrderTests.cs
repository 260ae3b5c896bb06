using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator.ChildOrder;
using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The child-order generator: which fields of which module classes it records, in what order and under which runtime
/// names, and that its registration compiles and is cached across an unrelated edit.
/// </summary>
public sealed class ChildOrderTests
{
    private const string Source = """
        using QuantGen.Nn;

        namespace Sample;

        public class Outer
        {
            private sealed class Block<T> : Module
            {
                readonly ReLU second = new();
                readonly int notAModule = 1;
                readonly Conv2d first = new(1, 1, kernelSize: 1);
                public Linear Head { get; } = new(1, 1);
                public ReLU? Hidden { get; set; }
                readonly Module[] list = [];
                ReLU Computed => second;
                static readonly ReLU Shared = new();

                public override QuantGen.Tensor Forward(QuantGen.Tensor x) => Head.Forward(first.Forward(second.Forward(x)));
                public int Others => notAModule + list.Length + (Hidden is null || Shared is null || Computed is null ? 0 : 1);
            }
        }

        public class OneChild : Module
        {
            readonly ReLU only = new();
            public override QuantGen.Tensor Forward(QuantGen.Tensor x) => only.Forward(x);
        }

        public class NotAModule
        {
            readonly ReLU a = new(), b = new();
            public object Pair => (a, b);
        }
        """;

    [Fact]
    public void Records_each_module_class_with_two_or_more_children_in_declaration_order_under_its_runtime_name()
    {
        (string text, Compilation output) = Run(GeneratorHarness.Compilation(GeneratorHarness.Tree(Source, "Block.cs")));

        // Fields as reflection names them (auto-properties by their backing fields); statics, non-modules and computed properties left out.
        Assert.Contains(
            "global::QuantGen.Nn.ChildOrder.Register(assembly, \"Sample.Outer+Block`1\", \"second\", \"first\", \"<Head>k__BackingField\", \"<Hidden>k__BackingField\", \"list\");",
            text);
        Assert.DoesNotContain("OneChild", text); // one child has one order
        Assert.DoesNotContain("NotAModule", text);
        Assert.Contains("[global::System.Runtime.CompilerServices.ModuleInitializer]", text);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void A_compilation_without_a_module_class_of_two_children_gets_no_file()
    {
        (string text, _) = Run(GeneratorHarness.Compilation(GeneratorHarness.Tree("public class Plain { }", "Plain.cs")));

        Assert.Equal("", text);
    }

    [Fact]
    public void Registration_is_cached_after_an_unrelated_edit()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(GeneratorHarness.Tree(Source, "Block.cs"), GeneratorHarness.Tree("class Other { }", "Other.cs"));
        GeneratorDriver driver = NewDriver().RunGenerators(compilation);
        SyntaxTree other = compilation.SyntaxTrees.Single(t => t.FilePath == "Other.cs");
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(other, GeneratorHarness.Tree("class Other { int x; }", "Other.cs"));

        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.All(result.TrackedSteps[TrackingNames.ChildOrderEmit].SelectMany(s => s.Outputs),
            output => Assert.Contains(output.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
    }

    private static GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create(
            [new ChildOrderGenerator().AsSourceGenerator()],
            parseOptions: GeneratorHarness.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static (string Text, Compilation Output) Run(CSharpCompilation compilation)
    {
        NewDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var diagnostics);
        Assert.Empty(diagnostics);
        SyntaxTree? generated = output.SyntaxTrees.FirstOrDefault(t => t.FilePath.EndsWith("QuantGen.ChildOrder.g.cs", StringComparison.Ordinal));
        return (generated?.ToString() ?? "", output);
    }
}
