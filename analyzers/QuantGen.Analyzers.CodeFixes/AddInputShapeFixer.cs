using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace QuantGen.Analyzers.CodeFixes;

/// <summary>
/// QG0002: adds <c>[InputShape(...)]</c> after [Quantize], with the shape the diagnostic carries: what the model's
/// first layer implies (its descriptor says: a Linear's input features, exact; a Conv2d's input channels and a 28 × 28
/// placeholder, which the shape checks then test at the first layer it does not fit), else <c>1, 28, 28</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddInputShapeFixer)), Shared]
public sealed class AddInputShapeFixer : DocumentRewriteFixer
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ["QG0002"];

    protected override string EquivalenceKey => "QG0002.AddInputShape";

    protected override Task<string?> TitleAsync(Document document, SyntaxNode root, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        Task.FromResult(ClassSyntax.Of(root, diagnostic) is not null ? $"Add [InputShape({Shape(diagnostic)})]" : null);

    protected override SyntaxNode Rewrite(SyntaxNode root, IReadOnlyList<Diagnostic> diagnostics)
    {
        var shapes = new Dictionary<ClassDeclarationSyntax, string>();
        foreach (Diagnostic diagnostic in diagnostics)
        {
            if (ClassSyntax.Of(root, diagnostic) is ClassDeclarationSyntax declaration) shapes[declaration] = Shape(diagnostic);
        }

        return root.ReplaceNodes(shapes.Keys, (original, rewritten) =>
            original.AttributeLists.SelectMany(l => l.Attributes).Any(a => ClassSyntax.Named(a, "InputShape"))
                ? rewritten
                : ClassSyntax.AddAttribute(rewritten, "InputShape", shapes[original], "Quantize"));
    }

    private static string Shape(Diagnostic diagnostic) =>
        diagnostic.Properties.TryGetValue(FixProperties.Value, out string? shape) && !string.IsNullOrEmpty(shape) ? shape! : "1, 28, 28";
}
