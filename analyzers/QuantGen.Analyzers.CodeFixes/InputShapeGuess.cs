using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace QuantGen.Analyzers.CodeFixes;

/// <summary>
/// The [InputShape] arguments the class's first Linear or Conv2d field implies, read from syntax (the first
/// argument of its <c>new(...)</c> as a literal); "1, 28, 28" when there is none to read.
/// </summary>
internal static class InputShapeGuess
{
    private const string Placeholder = "1, 28, 28";

    public static string For(ClassDeclarationSyntax declaration)
    {
        foreach (MemberDeclarationSyntax member in declaration.Members)
        {
            if (member is not FieldDeclarationSyntax field) continue;
            string type = field.Declaration.Type is QualifiedNameSyntax q ? q.Right.Identifier.ValueText : field.Declaration.Type.ToString();
            if (type is not ("Linear" or "Conv2d")) continue;

            foreach (VariableDeclaratorSyntax variable in field.Declaration.Variables)
            {
                if (variable.Initializer?.Value is BaseObjectCreationExpressionSyntax { ArgumentList.Arguments: { Count: > 0 } arguments }
                    && arguments[0].Expression is LiteralExpressionSyntax literal && literal.Kind() == SyntaxKind.NumericLiteralExpression)
                {
                    return type == "Linear" ? literal.Token.ValueText : literal.Token.ValueText + ", 28, 28";
                }

                return Placeholder;
            }
        }

        return Placeholder;
    }
}
