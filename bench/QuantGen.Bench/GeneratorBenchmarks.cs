using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using QuantGen.Analyzers;
using QuantGen.Generator;

namespace QuantGen.Bench;

/// <summary>
/// The generator and the analyzers on MobileNetV2's source, as an IDE runs them while the user types. The driver
/// is created and run once in setup; each warm row runs that same driver on a compilation with one edit, built
/// and bound in setup, so the compilation's own binding stays out of the figure (the first row shows what binding
/// the source costs, and is the baseline that makes rows comparable across runs and machines). The edits: an
/// unrelated file, a comment in the model's file, and a real change to the model (every step after the parse
/// reruns). The analyzers run through <see cref="CompilationWithAnalyzers"/>, which binds the source afresh
/// (it gives the compilation an event queue), so their row includes that binding: compare it to the first row.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class GeneratorBenchmarks
{
    private static readonly GeneratorDriverOptions DriverOptions = new(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false);

    private CSharpCompilation compilation = null!;
    private CSharpCompilation unrelatedEdit = null!;
    private CSharpCompilation modelComment = null!;
    private CSharpCompilation modelEdit = null!;
    private GeneratorDriver warm = null!;
    private ImmutableArray<DiagnosticAnalyzer> analyzers;

    private static readonly CompilationWithAnalyzersOptions AnalyzerOptions = new(
        new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false);

    [GlobalSetup]
    public void Setup()
    {
        var source = new MobileNetV2Compilation();
        compilation = source.Compilation;
        unrelatedEdit = source.WithUnrelatedEdit();
        modelComment = source.WithModelComment();
        modelEdit = source.WithModelEdit();
        foreach (CSharpCompilation bound in new[] { compilation, unrelatedEdit, modelComment, modelEdit }) bound.GetDiagnostics();

        warm = NewDriver().RunGenerators(compilation);
        string generated = GeneratedText(warm);
        // Each row must time the work it names: a silent no-op would look fast.
        Require(GeneratedText(warm.RunGenerators(unrelatedEdit)) == generated, "an unrelated edit changed the generated code");
        Require(GeneratedText(warm.RunGenerators(modelComment)) == generated, "a comment changed the generated code");
        Require(GeneratedText(warm.RunGenerators(modelEdit)).Contains("OutputLength = 12;", StringComparison.Ordinal), "the model edit did not reach the generated code");

        analyzers = [.. typeof(QuantizeModelAnalyzer).Assembly.GetTypes()
            .Where(type => type.IsSubclassOf(typeof(DiagnosticAnalyzer)) && !type.IsAbstract)
            .Select(type => (DiagnosticAnalyzer)Activator.CreateInstance(type)!)];
        ImmutableArray<Diagnostic> reported = Analyze();
        Require(!reported.Any(d => d.Id == "AD0001"), "an analyzer threw: " + string.Join("; ", reported.Where(d => d.Id == "AD0001")));
    }

    [Benchmark(Baseline = true, Description = "compilation: bind and GetDiagnostics (no generator)")]
    public ImmutableArray<Diagnostic> Bind() => compilation.Clone().GetDiagnostics();

    [Benchmark(Description = "generator: first run (new driver)")]
    public GeneratorDriver FirstRun() => NewDriver().RunGenerators(compilation);

    [Benchmark(Description = "generator: warm, unrelated file edited")]
    public GeneratorDriver UnrelatedEdit() => warm.RunGenerators(unrelatedEdit);

    [Benchmark(Description = "generator: warm, comment in the model's file")]
    public GeneratorDriver ModelComment() => warm.RunGenerators(modelComment);

    [Benchmark(Description = "generator: warm, model edited (10 → 12 classes)")]
    public GeneratorDriver ModelEdit() => warm.RunGenerators(modelEdit);

    [Benchmark(Description = "analyzers: GetAnalyzerDiagnosticsAsync (binds too)")]
    public ImmutableArray<Diagnostic> Analyzers() => Analyze();

    private ImmutableArray<Diagnostic> Analyze() =>
        compilation.WithAnalyzers(analyzers, AnalyzerOptions).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

    private static GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create([new QuantizeGenerator().AsSourceGenerator()], parseOptions: MobileNetV2Compilation.ParseOptions, driverOptions: DriverOptions);

    private static string GeneratedText(GeneratorDriver driver)
    {
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Require(result.Exception is null, "the generator threw: " + result.Exception);
        Require(!result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error), "the generator reported " + string.Join("; ", result.Diagnostics));
        return result.GeneratedSources.Single().SourceText.ToString();
    }

    private static void Require(bool condition, string failure)
    {
        if (!condition) throw new InvalidOperationException("GeneratorBenchmarks setup: " + failure);
    }
}
