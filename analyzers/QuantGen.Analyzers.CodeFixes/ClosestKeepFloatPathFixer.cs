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

/// <summary>QG0015 at a <c>[KeepFloat]</c> path that names no module: replaces it with the closest existing path the generator found.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ClosestKeepFloatPathFixer)), Shared]
public sealed class ClosestKeepFloatPathFixer : DocumentRewriteFixer
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ["QG0015"];

    protected override string EquivalenceKey => "QG0015.ClosestKeepFloatPath";

    protected override Task<string?> TitleAsync(Document document, SyntaxNode root, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        Task.FromResult(Target(root, diagnostic) is (LiteralExpressionSyntax literal, string path) ? $"Change {literal.Token.Text} to \"{path}\"" : null);

    protected override SyntaxNode Rewrite(SyntaxNode root, IReadOnlyList<Diagnostic> diagnostics)
    {
        var paths = new Dictionary<LiteralExpressionSyntax, string>();
        foreach (Diagnostic diagnostic in diagnostics)
        {
            if (Target(root, diagnostic) is (LiteralExpressionSyntax literal, string path)) paths[literal] = path;
        }

        return root.ReplaceNodes(paths.Keys, (original, rewritten) =>
            SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(paths[original])).WithTriviaFrom(rewritten));
    }

    /// <summary>The string literal the diagnostic points at and the suggested path, when there is one.</summary>
    private static (LiteralExpressionSyntax Literal, string Path)? Target(SyntaxNode root, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.TryGetValue(FixProperties.Value, out string? path) || string.IsNullOrEmpty(path)) return null;
        if (diagnostic.Location.SourceTree != root.SyntaxTree || diagnostic.Location.SourceSpan.End > root.FullSpan.End) return null;
        return root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is LiteralExpressionSyntax literal && literal.IsKind(SyntaxKind.StringLiteralExpression)
            ? (literal, path!)
            : null;
    }
}
