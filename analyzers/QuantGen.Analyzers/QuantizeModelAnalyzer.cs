using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using QuantGen.Analyzers.Review;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;
using QuantGen.Generator.Parsing;
using QuantGen.Generator.Planning;

namespace QuantGen.Analyzers;

/// <summary>
/// Reads each <c>[Quantize]</c> class with the generator's parser and shape planner, reviews the plan (float
/// islands, fusions, [Fuse] patterns, dynamic mode) and reports the IDs the analyzers own
/// (<see cref="DiagnosticDescriptors.ReportedByAnalyzers"/>); the generator reports the others.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class QuantizeModelAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
    [
        DiagnosticDescriptors.FloatIsland,
        DiagnosticDescriptors.FusionOpportunity,
        DiagnosticDescriptors.UnusedFusePattern,
        DiagnosticDescriptors.DynamicWithoutLinear,
    ];

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            // Looked up once per compilation; a compilation without the runtime has nothing to analyze.
            if (start.Compilation.GetTypeByMetadataName(ModelParser.QuantizeAttribute) is not INamedTypeSymbol quantize) return;
            start.RegisterSyntaxNodeAction(node => AnalyzeClass(node, quantize), SyntaxKind.ClassDeclaration);
        });
    }

    private static void AnalyzeClass(SyntaxNodeAnalysisContext context, INamedTypeSymbol quantize)
    {
        var declaration = (ClassDeclarationSyntax)context.Node;
        if (declaration.AttributeLists.Count == 0) return;
        if (context.SemanticModel.GetDeclaredSymbol(declaration, context.CancellationToken) is not INamedTypeSymbol type) return;

        List<AttributeData> attributes = QuantizeAttributesOn(declaration, type, quantize);
        if (attributes.Count == 0) return;

        ParseResult parsed = ModelParser.Parse(context.SemanticModel, declaration, type, attributes, context.CancellationToken);
        PlanResult planned = ShapePlanner.Plan(parsed);
        var found = new List<DiagnosticInfo>(planned.Diagnostics);
        if (planned.Plan is ModelPlan plan)
        {
            found.AddRange(ModelReview.Review(plan, LocationInfo.From(declaration.Identifier.GetLocation()), LocationInfo.From(attributes[0].ApplicationSyntaxReference?.GetSyntax(context.CancellationToken))));
        }

        foreach (DiagnosticInfo info in found)
        {
            if (!DiagnosticDescriptors.ReportedByAnalyzers(info.Id) || DiagnosticDescriptors.ById(info.Id) is not DiagnosticDescriptor descriptor) continue;
            context.ReportDiagnostic(DiagnosticFactory.Create(descriptor, info, context.Compilation, declaration));
        }
    }

    /// <summary>The [Quantize] attributes written on this declaration (a partial class may carry them on another part).</summary>
    private static List<AttributeData> QuantizeAttributesOn(ClassDeclarationSyntax declaration, INamedTypeSymbol type, INamedTypeSymbol quantize)
    {
        var found = new List<AttributeData>();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, quantize)) continue;
            SyntaxReference? written = attribute.ApplicationSyntaxReference;
            if (written is not null && written.SyntaxTree == declaration.SyntaxTree && declaration.Span.Contains(written.Span)) found.Add(attribute);
        }

        return found;
    }
}
