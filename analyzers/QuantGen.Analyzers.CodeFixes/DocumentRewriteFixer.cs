using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace QuantGen.Analyzers.CodeFixes;

/// <summary>
/// A fixer whose fix is one rewrite of a document's syntax root for a set of its diagnostics: a single fix passes
/// one diagnostic, Fix All in a document (or project, or solution, document by document) passes all of them, so
/// fixes that touch one class (two [Fuse] patterns added to it) are made together instead of conflicting.
/// </summary>
public abstract class DocumentRewriteFixer : CodeFixProvider
{
    /// <summary>One key per fixer, so that Fix All gathers every diagnostic it can fix whatever the title says.</summary>
    protected abstract string EquivalenceKey { get; }

    /// <summary>The title of the fix for <paramref name="diagnostic"/>, or null when there is no fix for it here.</summary>
    protected abstract Task<string?> TitleAsync(Document document, SyntaxNode root, Diagnostic diagnostic, CancellationToken cancellationToken);

    /// <summary>The root with <paramref name="diagnostics"/> fixed; diagnostics it cannot fix are left as they are.</summary>
    protected abstract SyntaxNode Rewrite(SyntaxNode root, IReadOnlyList<Diagnostic> diagnostics);

    public sealed override FixAllProvider GetFixAllProvider() => new FixAll(this);

    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        if (await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false) is not SyntaxNode root) return;
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (await TitleAsync(context.Document, root, diagnostic, context.CancellationToken).ConfigureAwait(false) is not string title) continue;
            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(title, _ => Task.FromResult(document.WithSyntaxRoot(Rewrite(root, [diagnostic]))), EquivalenceKey),
                diagnostic);
        }
    }

    private sealed class FixAll(DocumentRewriteFixer fixer) : DocumentBasedFixAllProvider
    {
        protected override async Task<Document?> FixAllAsync(FixAllContext fixAllContext, Document document, ImmutableArray<Diagnostic> diagnostics)
        {
            if (diagnostics.IsEmpty || await document.GetSyntaxRootAsync(fixAllContext.CancellationToken).ConfigureAwait(false) is not SyntaxNode root) return document;
            return document.WithSyntaxRoot(fixer.Rewrite(root, diagnostics));
        }
    }
}
