using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Emitting;

/// <summary>
/// The model class as the generated code names it: its namespace and name escaped where C# needs '@', fully
/// qualified, and as a hint name (which the compiler wants unique ignoring case, of letters, digits, '_' and '.').
/// </summary>
internal static class TypeNames
{
    /// <summary>A namespace's or type's name as an identifier: '@' before a keyword or contextual keyword (<c>@class</c>, <c>@record</c>).</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>
    /// The class name as its declaration writes it: also '@' before a name of lower-case ASCII letters only, which C#
    /// warns may become a keyword (CS8981) unless escaped; the user's own declaration has that warning already.
    /// </summary>
    public static string ClassName(ModelSpec model) =>
        model.ClassName.All(c => c is >= 'a' and <= 'z') ? "@" + model.ClassName : Identifier(model.ClassName);

    /// <summary>The namespace as a <c>namespace</c> line writes it; empty for the global namespace.</summary>
    public static string Namespace(ModelSpec model) =>
        string.Join(".", model.Namespace.Split('.').Where(name => name.Length > 0).Select(Identifier));

    /// <summary><c>global::Sample.SmallCnn</c>.</summary>
    public static string Global(ModelSpec model) =>
        "global::" + (model.Namespace.Length > 0 ? Namespace(model) + "." : "") + ClassName(model);

    /// <summary><c>Sample.SmallCnn.g.cs</c>: the names with anything but letters, digits and '_' as '_'.</summary>
    public static string HintName(ModelSpec model)
    {
        var hint = new StringBuilder();
        foreach (char c in (model.Namespace.Length > 0 ? model.Namespace + "." : "") + model.ClassName)
        {
            hint.Append(char.IsLetterOrDigit(c) || c is '_' or '.' ? c : '_');
        }

        return hint.Append(".g.cs").ToString();
    }
}
