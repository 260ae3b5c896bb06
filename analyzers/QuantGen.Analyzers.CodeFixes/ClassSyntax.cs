using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace QuantGen.Analyzers.CodeFixes;

/// <summary>Finding the annotated class from a diagnostic, and adding an attribute list to it in its own style.</summary>
internal static class ClassSyntax
{
    /// <summary>
    /// The [Quantize] class a diagnostic is about: the analyzers put its name's location first among the additional
    /// locations; the generator's QG0001 and QG0002 point at the name itself.
    /// </summary>
    public static ClassDeclarationSyntax? Of(SyntaxNode root, Diagnostic diagnostic)
    {
        Location location = diagnostic.AdditionalLocations.Count > 0 ? diagnostic.AdditionalLocations[0] : diagnostic.Location;
        if (location.SourceTree != root.SyntaxTree || location.SourceSpan.End > root.FullSpan.End) return null;
        return root.FindToken(location.SourceSpan.Start).Parent as ClassDeclarationSyntax;
    }

    /// <summary>
    /// The class with <c>[name(arguments)]</c> added on a line of its own after its last attribute list named
    /// <paramref name="after"/> (else after [Quantize], else first), qualified as [Quantize] is written.
    /// </summary>
    public static ClassDeclarationSyntax AddAttribute(ClassDeclarationSyntax declaration, string name, string arguments, params string[] after)
    {
        SyntaxList<AttributeListSyntax> lists = declaration.AttributeLists;
        int anchor = LastIndexNamed(lists, after);
        if (anchor < 0) anchor = LastIndexNamed(lists, "Quantize");

        AttributeSyntax? quantize = lists.SelectMany(l => l.Attributes).FirstOrDefault(a => Named(a, "Quantize"));
        NameSyntax attributeName = quantize?.Name is QualifiedNameSyntax qualified
            ? SyntaxFactory.QualifiedName(qualified.Left, SyntaxFactory.IdentifierName(name))
            : SyntaxFactory.IdentifierName(name);
        AttributeSyntax attribute = SyntaxFactory.Attribute(attributeName, SyntaxFactory.ParseAttributeArgumentList("(" + arguments + ")"));

        if (anchor < 0)
        {
            // No attribute to follow: the new list takes the class's leading trivia, the class keeps its indentation.
            SyntaxTriviaList leading = declaration.GetLeadingTrivia();
            AttributeListSyntax first = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute))
                .WithLeadingTrivia(leading).WithTrailingTrivia(SyntaxFactory.EndOfLine(NewLine(declaration)));
            return declaration.WithoutLeadingTrivia().WithLeadingTrivia(Indentation(leading)).WithAttributeLists(lists.Insert(0, first));
        }

        AttributeListSyntax previous = lists[anchor];
        AttributeListSyntax added = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute))
            .WithLeadingTrivia(Indentation(previous.GetLeadingTrivia()))
            .WithTrailingTrivia(SyntaxFactory.EndOfLine(NewLine(declaration)));
        return declaration.WithAttributeLists(lists.Insert(anchor + 1, added));
    }

    /// <summary>True when the attribute's name is <paramref name="shortName"/> or <c>shortNameAttribute</c>, qualified or not.</summary>
    public static bool Named(AttributeSyntax attribute, string shortName)
    {
        string written = attribute.Name switch
        {
            QualifiedNameSyntax q => q.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
            SimpleNameSyntax s => s.Identifier.ValueText,
            _ => "",
        };
        return written == shortName || written == shortName + "Attribute";
    }

    private static int LastIndexNamed(SyntaxList<AttributeListSyntax> lists, params string[] names)
    {
        for (int i = lists.Count - 1; i >= 0; i--)
        {
            foreach (string name in names)
            {
                if (lists[i].Attributes.Any(a => Named(a, name))) return i;
            }
        }

        return -1;
    }

    /// <summary>The whitespace that starts the line (the trivia after the last end of line).</summary>
    private static SyntaxTriviaList Indentation(SyntaxTriviaList leading)
    {
        int start = leading.Count;
        while (start > 0 && leading[start - 1].IsKind(SyntaxKind.WhitespaceTrivia)) start--;
        return SyntaxFactory.TriviaList(leading.Skip(start));
    }

    /// <summary>The file's line ending, as the class's first end of line writes it.</summary>
    private static string NewLine(SyntaxNode node)
    {
        SyntaxTrivia endOfLine = node.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        return endOfLine.IsKind(SyntaxKind.EndOfLineTrivia) ? endOfLine.ToFullString() : "\n";
    }
}
