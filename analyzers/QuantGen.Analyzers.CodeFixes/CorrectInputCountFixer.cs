using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace QuantGen.Analyzers.CodeFixes;

/// <summary>
/// QG0004 at a count argument (<c>inFeatures</c>, <c>inChannels</c>, <c>numFeatures</c>, <c>normalizedShape</c>):
/// writes the count the shape planner inferred. Offered only where the argument is a constant written there; an
/// argument a block passes down from its own parameters is left for the user.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CorrectInputCountFixer)), Shared]
public sealed class CorrectInputCountFixer : DocumentRewriteFixer
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ["QG0004"];

    protected override string EquivalenceKey => "QG0004.CorrectInputCount";

    protected override async Task<string?> TitleAsync(Document document, SyntaxNode root, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (Target(root, diagnostic) is not (ArgumentSyntax argument, int value)) return null;
        if (await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not SemanticModel model) return null;
        if (!model.GetConstantValue(argument.Expression, cancellationToken).HasValue) return null;
        string name = argument.NameColon?.Name.Identifier.ValueText ?? "the argument";
        return $"Change {name} to the inferred {value}";
    }

    protected override SyntaxNode Rewrite(SyntaxNode root, IReadOnlyList<Diagnostic> diagnostics)
    {
        var values = new Dictionary<ArgumentSyntax, int>();
        foreach (Diagnostic diagnostic in diagnostics)
        {
            if (Target(root, diagnostic) is (ArgumentSyntax argument, int value)) values[argument] = value;
        }

        return root.ReplaceNodes(values.Keys, (original, rewritten) =>
            rewritten.WithExpression(SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(values[original]))
                .WithTriviaFrom(rewritten.Expression)));
    }

    /// <summary>The argument the diagnostic points at and the inferred count, when the analyzer found one.</summary>
    private static (ArgumentSyntax Argument, int Value)? Target(SyntaxNode root, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.TryGetValue(FixProperties.Value, out string? text) || !int.TryParse(text, out int value)) return null;
        if (diagnostic.Location.SourceTree != root.SyntaxTree || diagnostic.Location.SourceSpan.End > root.FullSpan.End) return null;
        return root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<ArgumentSyntax>() is ArgumentSyntax argument
            ? (argument, value)
            : null;
    }
}
