using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.ChildOrder;

/// <summary>
/// Reads one class declaration: if the class derives from <c>QuantGen.Nn.Module</c> and declares two or more child
/// fields, their names in declaration order. A child field is what the runtime's <c>ChildFields</c> takes: an instance
/// field (or auto-property) whose type is a module or an array of modules, without <c>[NotAChild]</c>.
/// </summary>
internal static class ChildOrderReader
{
    private const string ModuleType = "QuantGen.Nn.Module";
    private const string NotAChildAttribute = "QuantGen.Nn.NotAChildAttribute";

    public static ModuleChildOrder? Read(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.SemanticModel.GetDeclaredSymbol(context.Node, cancellationToken) is not INamedTypeSymbol type) return null;
        INamedTypeSymbol? module = context.SemanticModel.Compilation.GetTypeByMetadataName(ModuleType);
        if (module is null || !DerivesFrom(type, module)) return null;

        var fields = new List<string>();
        foreach (ISymbol member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member is IFieldSymbol { IsStatic: false } field && IsModuleOrArray(field.Type, module) && !IsMarkedNotAChild(field))
            {
                fields.Add(field.Name);
            }
        }
        return fields.Count > 1 ? new ModuleChildOrder(RuntimeName(type), new EquatableArray<string>(fields.ToArray())) : null;
    }

    private static bool DerivesFrom(INamedTypeSymbol type, INamedTypeSymbol module)
    {
        for (INamedTypeSymbol? t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, module)) return true;
        }
        return false;
    }

    private static bool IsModuleOrArray(ITypeSymbol type, INamedTypeSymbol module) => type switch
    {
        IArrayTypeSymbol array => IsModule(array.ElementType, module),
        _ => IsModule(type, module),
    };

    private static bool IsModule(ITypeSymbol type, INamedTypeSymbol module) =>
        type is INamedTypeSymbol named && (SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, module) || DerivesFrom(named, module));

    private static bool IsMarkedNotAChild(IFieldSymbol field)
    {
        foreach (AttributeData attribute in field.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == NotAChildAttribute) return true;
        }
        return false;
    }

    /// <summary>What <c>Type.FullName</c> says at run time: <c>Ns.Outer+Inner`1</c>.</summary>
    private static string RuntimeName(INamedTypeSymbol type)
    {
        string name = type.MetadataName;
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name = outer.MetadataName + "+" + name;
        }
        INamedTypeSymbol outermost = type;
        while (outermost.ContainingType is not null) outermost = outermost.ContainingType;
        string ns = outermost.ContainingNamespace is { IsGlobalNamespace: false } space ? space.ToDisplayString() + "." : "";
        return ns + name;
    }
}
