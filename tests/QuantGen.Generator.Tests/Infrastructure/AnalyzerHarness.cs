using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using QuantGen.Analyzers;

namespace QuantGen.Generator.Tests.Infrastructure;

/// <summary>What the analyzers reported on a compilation, and what they threw (an analyzer must never throw).</summary>
public sealed record AnalyzerRun(ImmutableArray<Diagnostic> Diagnostics, IReadOnlyList<Exception> Exceptions)
{
    /// <summary>The QG diagnostics (the analyzers' own IDs).</summary>
    public IEnumerable<Diagnostic> Qg => Diagnostics.Where(d => d.Id.StartsWith("QG", StringComparison.Ordinal));
}

/// <summary>Runs <see cref="QuantizeModelAnalyzer"/> over an in-memory compilation, as the compiler does in a build.</summary>
public static class AnalyzerHarness
{
    public static AnalyzerRun Run(Compilation compilation)
    {
        var exceptions = new ConcurrentBag<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]),
            onAnalyzerException: (exception, _, _) => exceptions.Add(exception),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        ImmutableArray<Diagnostic> diagnostics = compilation
            .WithAnalyzers([new QuantizeModelAnalyzer()], options)
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        // AD0001 is how the driver reports an analyzer that threw.
        foreach (Diagnostic thrown in diagnostics.Where(d => d.Id == "AD0001")) exceptions.Add(new InvalidOperationException(thrown.GetMessage()));
        return new AnalyzerRun(diagnostics, [.. exceptions]);
    }

    /// <summary>The analyzers over one source file named <paramref name="path"/>.</summary>
    public static AnalyzerRun Run(string source, string path = "Model.cs") =>
        Run(GeneratorHarness.Compilation(GeneratorHarness.Tree(source, path)));
}
