using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Parsing;

namespace QuantGen.Analyzers;

/// <summary>
/// QG0013: each <c>[Quantize]</c> class, when the QuantGen runtime the compilation references is of another release
/// than this assembly (the generator and the analyzers ship together, in one package, at one version).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RuntimeVersionAnalyzer : DiagnosticAnalyzer
{
    private static readonly Version Expected = typeof(RuntimeVersionAnalyzer).Assembly.GetName().Version ?? new Version(0, 0, 0, 0);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.RuntimeVersionMismatch];

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (start.Compilation.GetTypeByMetadataName(ModelParser.QuantizeAttribute) is not INamedTypeSymbol quantize) return;
            Version runtime = quantize.ContainingAssembly.Identity.Version;
            if (SameRelease(runtime, Expected)) return;
            start.RegisterSymbolAction(symbol => Report(symbol, quantize, runtime), SymbolKind.NamedType);
        });
    }

    private static void Report(SymbolAnalysisContext context, INamedTypeSymbol quantize, Version runtime)
    {
        foreach (AttributeData attribute in context.Symbol.GetAttributes())
        {
            if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, quantize)) continue;
            Location location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation()
                ?? context.Symbol.Locations[0];
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.RuntimeVersionMismatch, location,
                context.Symbol.Name, Release(Expected), Release(runtime)));
        }
    }

    /// <summary>Major, minor and patch: the assembly version the build stamps from the one VersionPrefix.</summary>
    private static bool SameRelease(Version a, Version b) => a.Major == b.Major && a.Minor == b.Minor && a.Build == b.Build;

    private static string Release(Version version) => $"{version.Major}.{version.Minor}.{Math.Max(version.Build, 0)}";
}
