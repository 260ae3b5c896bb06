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
/// QG0002: adds <c>[InputShape(...)]</c> after [Quantize]. When the class's first layer is a Linear the shape is
/// its input features (exact); when it is a Conv2d, its input channels and a 28 × 28 placeholder for height and
/// width (the shape checks then report a wrong guess at the first layer it does not fit); else [InputShape(1, 28, 28)].
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddInputShapeFixer)), Shared]
public sealed class AddInputShapeFixer : DocumentRewriteFixer
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ["QG0002"];

    protected override string EquivalenceKey => "QG0002.AddInputShape";

    protected override Task<string?> TitleAsync(Document document, SyntaxNode root, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        Task.FromResult(ClassSyntax.Of(root, diagnostic) is ClassDeclarationSyntax declaration ? $"Add [InputShape({InputShapeGuess.For(declaration)})]" : null);

    protected override SyntaxNode Rewrite(SyntaxNode root, IReadOnlyList<Diagnostic> diagnostics)
    {
        var classes = diagnostics.Select(d => ClassSyntax.Of(root, d)).OfType<ClassDeclarationSyntax>().Distinct();
        return root.ReplaceNodes(classes, static (original, rewritten) =>
            original.AttributeLists.SelectMany(l => l.Attributes).Any(a => ClassSyntax.Named(a, "InputShape"))
                ? rewritten
                : ClassSyntax.AddAttribute(rewritten, "InputShape", InputShapeGuess.For(original), "Quantize"));
    }
}
