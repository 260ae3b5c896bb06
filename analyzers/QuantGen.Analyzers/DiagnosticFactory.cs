using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using QuantGen.Generator.Model;

namespace QuantGen.Analyzers;

/// <summary>Turns the parser's and planner's diagnostics (plain data) into diagnostics at source locations.</summary>
internal static class DiagnosticFactory
{
    /// <summary>
    /// The diagnostic for <paramref name="info"/>, raised to an error when the model asks for it (Strict), with the
    /// class name's location as its additional location (the fixers that edit the class find it there) and the
    /// fix value as a property.
    /// </summary>
    public static Diagnostic Create(DiagnosticDescriptor descriptor, DiagnosticInfo info, Compilation compilation, ClassDeclarationSyntax declaration)
    {
        Location classLocation = declaration.Identifier.GetLocation();
        Location location = info.Location is LocationInfo at ? InSource(at, compilation) : classLocation;
        ImmutableDictionary<string, string?> properties = info.FixValue is string value
            ? ImmutableDictionary<string, string?>.Empty.Add(FixProperties.Value, value)
            : ImmutableDictionary<string, string?>.Empty;
        DiagnosticSeverity severity = info.AsError ? DiagnosticSeverity.Error : descriptor.DefaultSeverity;
        return Diagnostic.Create(descriptor, location, severity, [classLocation], properties, [.. info.MessageArgs]);
    }

    /// <summary>
    /// A source location in the compilation's tree of that path, so that the IDE can fix and suppress it there; the
    /// model keeps locations as data (path and span), not as <see cref="Location"/>.
    /// </summary>
    private static Location InSource(LocationInfo at, Compilation compilation)
    {
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            if (tree.FilePath == at.FilePath && at.Span.End <= tree.Length) return Location.Create(tree, at.Span);
        }

        return at.ToLocation();
    }
}
