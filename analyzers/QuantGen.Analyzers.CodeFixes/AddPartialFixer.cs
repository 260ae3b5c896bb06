using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace QuantGen.Analyzers.CodeFixes;

/// <summary>QG0001: adds <c>partial</c> as the last modifier (<c>public sealed partial class</c>).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPartialFixer)), Shared]
public sealed class AddPartialFixer : DocumentRewriteFixer
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ["QG0001"];

    protected override string EquivalenceKey => "QG0001.AddPartial";

    protected override Task<string?> TitleAsync(Document document, SyntaxNode root, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        Task.FromResult(ClassSyntax.Of(root, diagnostic) is null ? null : "Make the class partial");

    protected override SyntaxNode Rewrite(SyntaxNode root, IReadOnlyList<Diagnostic> diagnostics)
    {
        var classes = diagnostics.Select(d => ClassSyntax.Of(root, d)).OfType<ClassDeclarationSyntax>().Where(c => !c.Modifiers.Any(SyntaxKind.PartialKeyword)).Distinct();
        return root.ReplaceNodes(classes, static (_, rewritten) => AddPartial(rewritten));
    }

    private static ClassDeclarationSyntax AddPartial(ClassDeclarationSyntax declaration)
    {
        if (declaration.Modifiers.Count > 0)
        {
            return declaration.WithModifiers(declaration.Modifiers.Add(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space)));
        }

        // No modifier: 'partial' takes the keyword's place in the line (its leading trivia), 'class' follows it.
        SyntaxToken keyword = declaration.Keyword;
        SyntaxToken partial = SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
        return declaration.WithModifiers(SyntaxFactory.TokenList(partial)).WithKeyword(keyword.WithLeadingTrivia());
    }
}
