using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using QuantGen.Analyzers;
using QuantGen.Analyzers.Tests.Infrastructure;
using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Analyzers.Tests;

/// <summary>QG0013: a [Quantize] class compiled against a QuantGen runtime of another version than the generator's.</summary>
public sealed class RuntimeVersionTests
{
    private const string Model = """
        using QuantGen;
        [Quantize(QuantMode.Static)]
        public partial class Net { }
        """;

    [Fact]
    public void Runtime_of_another_version_is_an_error_that_says_what_to_install()
    {
        // A runtime as another release would be: QuantGen.dll at 9.8.7 with the attribute the model uses.
        CSharpCompilation otherRuntime = CSharpCompilation.Create("QuantGen",
            [CSharpSyntaxTree.ParseText("""
                [assembly: System.Reflection.AssemblyVersion("9.8.7.0")]
                namespace QuantGen
                {
                    public enum QuantMode { Static, Dynamic }
                    [System.AttributeUsage(System.AttributeTargets.Class)]
                    public sealed class QuantizeAttribute(QuantMode mode) : System.Attribute { public QuantMode Mode { get; } = mode; }
                }
                """)],
            Basic.Reference.Assemblies.Net100.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        CSharpCompilation user = CSharpCompilation.Create("User", [GeneratorHarness.Tree(Model, "Net.cs")],
            [.. Basic.Reference.Assemblies.Net100.References.All, otherRuntime.ToMetadataReference()],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(user.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        Diagnostic found = Assert.Single(Run(user));

        Version generator = typeof(RuntimeVersionAnalyzer).Assembly.GetName().Version!;
        string release = $"{generator.Major}.{generator.Minor}.{generator.Build}";
        Assert.Equal("QG0013", found.Id);
        Assert.Equal(DiagnosticSeverity.Error, found.Severity);
        Assert.Equal("Quantize(QuantMode.Static)", found.Location.SourceTree!.GetText().ToString(found.Location.SourceSpan));
        Assert.Equal(
            $"'Net' is compiled by QuantGen's generator {release}, but the project references the QuantGen runtime 9.8.7; generated code needs " +
            $"the runtime of its own version. Reference one version of the QuantGen package ('dotnet add package QuantGen --version {release}') and no other QuantGen.dll.",
            found.GetMessage());
    }

    [Fact]
    public void Runtime_of_the_same_version_is_fine()
    {
        Assert.Empty(Run(GeneratorHarness.Compilation(GeneratorHarness.Tree(Models.Clean, "Model.cs"))));
    }

    private static ImmutableArray<Diagnostic> Run(Compilation compilation) =>
        compilation.WithAnalyzers([new RuntimeVersionAnalyzer()])
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
}
