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

/// <summary>QG0010: adds the suggested <c>[Fuse(...)]</c> after the class's last [Fuse] (else after [Quantize]).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddFusePatternFixer)), Shared]
public sealed class AddFusePatternFixer : DocumentRewriteFixer
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ["QG0010"];

    protected override string EquivalenceKey => "QG0010.AddFuse";

    protected override Task<string?> TitleAsync(Document document, SyntaxNode root, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        Task.FromResult(ClassSyntax.Of(root, diagnostic) is not null && Kinds(diagnostic) is string kinds ? $"Add [Fuse({kinds})]" : null);

    protected override SyntaxNode Rewrite(SyntaxNode root, IReadOnlyList<Diagnostic> diagnostics)
    {
        // Patterns grouped by class, in the order reported (longest first), each once.
        var patterns = new Dictionary<ClassDeclarationSyntax, List<string>>();
        foreach (Diagnostic diagnostic in diagnostics)
        {
            if (ClassSyntax.Of(root, diagnostic) is not ClassDeclarationSyntax declaration || Kinds(diagnostic) is not string kinds) continue;
            if (!patterns.TryGetValue(declaration, out List<string>? list)) patterns[declaration] = list = [];
            if (!list.Contains(kinds)) list.Add(kinds);
        }

        return root.ReplaceNodes(patterns.Keys, (original, rewritten) =>
        {
            // Each goes after the last [Fuse], so they keep the order reported.
            foreach (string kinds in patterns[original])
            {
                rewritten = ClassSyntax.AddAttribute(rewritten, "Fuse", kinds, "Fuse");
            }

            return rewritten;
        });
    }

    private static string? Kinds(Diagnostic diagnostic) =>
        diagnostic.Properties.TryGetValue(FixProperties.Value, out string? kinds) && !string.IsNullOrEmpty(kinds) ? kinds : null;
}
