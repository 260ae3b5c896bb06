using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator;

namespace QuantGen.Generator.Tests.Infrastructure;

/// <summary>What one run of the generator gave: its sources, its diagnostics and the compilation with both.</summary>
public sealed record GeneratorRun(
    GeneratorDriver Driver,
    CSharpCompilation Input,
    Compilation Output,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<(string HintName, string Text)> Sources,
    Exception? Exception)
{
    /// <summary>The generator's own (QG) diagnostics.</summary>
    public IEnumerable<Diagnostic> Qg => GeneratorDiagnostics.Where(d => d.Id.StartsWith("QG", StringComparison.Ordinal));

    private AnalyzerRun? analyzed;

    /// <summary>The analyzers over the same input (run on first use): the QG IDs the generator leaves to them.</summary>
    public AnalyzerRun Analyzers => analyzed ??= AnalyzerHarness.Run(Input);

    /// <summary>Every QG diagnostic a user sees: the generator's and the analyzers'.</summary>
    public IEnumerable<Diagnostic> Reported => Qg.Concat(Analyzers.Qg);

    /// <summary>Warnings and errors the compiler reports inside the generated files.</summary>
    public IEnumerable<Diagnostic> GeneratedCodeProblems =>
        Output.SyntaxTrees.Where(tree => !Input.SyntaxTrees.Contains(tree))
            .SelectMany(tree => Output.GetSemanticModel(tree).GetDiagnostics())
            .Where(d => d.Severity >= DiagnosticSeverity.Warning);

    public string Source(string hintName) => Sources.Single(s => s.HintName == hintName).Text;
}

/// <summary>
/// Builds in-memory compilations from source strings (the .NET 10 reference assemblies plus the QuantGen
/// runtime) and runs <see cref="QuantizeGenerator"/> over them with step tracking on.
/// </summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References =
        [.. Basic.Reference.Assemblies.Net100.References.All, MetadataReference.CreateFromFile(typeof(QuantGen.Tensor).Assembly.Location)];

    public static SyntaxTree Tree(string source, string path) => CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    public static CSharpCompilation Compilation(params SyntaxTree[] trees) =>
        CSharpCompilation.Create("QuantGen.Generator.Tests.InMemory", trees, References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

    public static GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create(
            [new QuantizeGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator over one source file named <paramref name="path"/>.</summary>
    public static GeneratorRun Run(string source, string path = "Model.cs") => Run(NewDriver(), Compilation(Tree(source, path)));

    /// <summary>Runs <paramref name="driver"/> (fresh or from an earlier run) over <paramref name="compilation"/>.</summary>
    public static GeneratorRun Run(GeneratorDriver driver, CSharpCompilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        return new GeneratorRun(
            driver,
            compilation,
            output,
            diagnostics,
            [.. result.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString()))],
            result.Exception);
    }
}
