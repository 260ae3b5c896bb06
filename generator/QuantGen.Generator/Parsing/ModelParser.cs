using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;
using QuantGen.Generator.Parsing.Interpreter;

namespace QuantGen.Generator.Parsing;

/// <summary>
/// Reads one <c>[Quantize]</c> class (its attributes, module members and <c>Forward</c>) into a
/// <see cref="ModelSpec"/>. The only place that sees symbols and syntax. It never throws: whatever it cannot
/// read becomes a diagnostic that points at the construct, and then no model is returned.
/// </summary>
internal static class ModelParser
{
    public const string QuantizeAttribute = "QuantGen.QuantizeAttribute";
    public const string InputShapeAttribute = "QuantGen.InputShapeAttribute";
    public const string FuseAttribute = "QuantGen.FuseAttribute";
    public const string KeepFloatAttribute = "QuantGen.KeepFloatAttribute";

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        Parse(context.SemanticModel, context.TargetNode, context.TargetSymbol, context.Attributes, cancellationToken);

    /// <summary>
    /// The same read for a caller that finds the class itself (the analyzers, which have no
    /// <see cref="GeneratorAttributeSyntaxContext"/>): the declaration that carries <c>[Quantize]</c>, its symbol and
    /// the <c>[Quantize]</c> attributes.
    /// </summary>
    public static ParseResult Parse(SemanticModel semanticModel, SyntaxNode targetNode, ISymbol targetSymbol, IEnumerable<AttributeData> quantizeAttributes, CancellationToken cancellationToken)
    {
        if (targetNode is not ClassDeclarationSyntax declaration || targetSymbol is not INamedTypeSymbol type)
        {
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        // A class still being typed (no name yet): the compiler reports it; nothing to read. A class whose parts
        // each carry [Quantize] (the compiler reports the duplicate) is read once, from the first.
        if (declaration.Identifier.IsMissing || !IsWellNamed(type) || !CarriesFirstQuantize(declaration, type, cancellationToken))
        {
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        var reader = new Reader(semanticModel, declaration, type, cancellationToken);
        ModelSpec? model = reader.Read(quantizeAttributes);
        return new ParseResult(model, reader.Diagnostics.ToEquatableArray());
    }

    /// <summary>True unless another part of the class carries a [Quantize] that comes before this declaration's.</summary>
    private static bool CarriesFirstQuantize(ClassDeclarationSyntax declaration, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != QuantizeAttribute || attribute.ApplicationSyntaxReference is not { } written) continue;
            return written.SyntaxTree == declaration.SyntaxTree && declaration.Span.Contains(written.Span);
        }

        return true;
    }

    /// <summary>True when the class and every enclosing namespace have a name (not one still being typed).</summary>
    private static bool IsWellNamed(INamedTypeSymbol type)
    {
        if (!SyntaxFacts.IsValidIdentifier(type.Name)) return false;
        for (INamespaceSymbol? ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            if (!SyntaxFacts.IsValidIdentifier(ns.Name)) return false;
        }

        return true;
    }

    private sealed class Reader(SemanticModel semanticModel, ClassDeclarationSyntax declaration, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        public List<DiagnosticInfo> Diagnostics { get; } = [];

        private LocationInfo? ClassLocation => LocationInfo.From(declaration.Identifier.GetLocation());

        public ModelSpec? Read(IEnumerable<AttributeData> quantizeAttributes)
        {
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                Report(DiagnosticDescriptors.ClassNotPartial, ClassLocation, type.Name);
                return null;
            }

            if (type.ContainingType is not null)
            {
                Report(DiagnosticDescriptors.InvalidAttribute, ClassLocation,
                    $"'{type.Name}' is nested in '{type.ContainingType.Name}'; put a [Quantize] class at namespace level");
                return null;
            }

            if (type.IsFileLocal)
            {
                Report(DiagnosticDescriptors.InvalidAttribute, ClassLocation,
                    $"'{type.Name}' is a file-local class, which only its own file can extend; remove 'file' so that the generated half can join it");
                return null;
            }

            if (type.IsGenericType)
            {
                Report(DiagnosticDescriptors.InvalidAttribute, ClassLocation, $"'{type.Name}' is generic; a [Quantize] class cannot have type parameters");
                return null;
            }

            if (ReservedNameInUse() is { } clash)
            {
                Report(DiagnosticDescriptors.InvalidAttribute, LocationInfo.From(clash.Locations.FirstOrDefault()) ?? ClassLocation,
                    $"'{type.Name}' {(clash.Equals(type, SymbolEqualityComparer.Default) ? "is named" : "has a member named")} '{clash.Name}', a name the generated code declares; rename it");
                return null;
            }

            QuantizeOptions? options = null;
            foreach (AttributeData attribute in quantizeAttributes)
            {
                options ??= ReadOptions(attribute);
            }

            EquatableArray<int>? inputShape = ReadInputShape();
            List<FusePattern> fuses = ReadFuses();
            List<KeptPath> keepFloat = ReadKeepFloat();
            ModelRead? forward = ReadModel();
            if (inputShape is null && forward is not null) GuessInputShape(forward);

            if (options is { Strict: true })
            {
                // Strict: what the generator cannot read is an error, not a silent fall back to the eager path.
                for (int i = 0; i < Diagnostics.Count; i++)
                {
                    if (Diagnostics[i].Id == DiagnosticDescriptors.UnreadableConstruct.Id) Diagnostics[i] = Diagnostics[i] with { AsError = true };
                }
            }

            if (options is null || inputShape is null || forward is null || HasErrorsOrUnreadable())
            {
                return null;
            }

            string ns = NamespaceOf(type);
            return new ModelSpec(ns, type.Name, inputShape.Value, options, fuses.ToEquatableArray(),
                forward.Layers.ToEquatableArray(), forward.Steps.ToEquatableArray(), forward.Output, forward.Blocks.ToEquatableArray(),
                keepFloat.ToEquatableArray());
        }

        /// <summary>The namespace as its names are (<c>class.int</c> for <c>@class.@int</c>): the emitter escapes what C# needs.</summary>
        private static string NamespaceOf(INamedTypeSymbol type)
        {
            var names = new List<string>();
            for (INamespaceSymbol? ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace) names.Insert(0, ns.Name);
            return string.Join(".", names);
        }

        /// <summary>The names the generated half declares in the class.</summary>
        private static readonly string[] ReservedNames = ["InputLength", "OutputLength", "Shapes", "Int8", "Calibrate", "PrepareQat", "Convert"];

        /// <summary>The class itself, or a member of it or of a base class, that takes a name the generated code declares.</summary>
        private ISymbol? ReservedNameInUse()
        {
            if (Array.IndexOf(ReservedNames, type.Name) >= 0) return type;
            for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
            {
                foreach (string name in ReservedNames)
                {
                    foreach (ISymbol member in t.GetMembers(name))
                    {
                        if (member.IsImplicitlyDeclared || DeclaredByThisGenerator(member)) continue;
                        if (!SymbolEqualityComparer.Default.Equals(t, type) && member.DeclaredAccessibility == Accessibility.Private) continue;
                        return member;
                    }
                }
            }

            return null;
        }

        /// <summary>
        /// True for a member the generator itself declared: the generator never sees its own output, but the
        /// analyzers, which run this parser too, see the compilation with it (its trees' paths name the generator).
        /// </summary>
        private static bool DeclaredByThisGenerator(ISymbol member)
        {
            if (member.DeclaringSyntaxReferences.Length == 0) return false;
            foreach (SyntaxReference reference in member.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree.FilePath.IndexOf("QuantGen.Generator.QuantizeGenerator", StringComparison.Ordinal) < 0) return false;
            }

            return true;
        }

        private bool HasErrorsOrUnreadable() => Diagnostics.Count > 0;

        private void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] args) =>
            Diagnostics.Add(DiagnosticInfo.Create(descriptor, location, args));

        // ---- attributes ----

        private QuantizeOptions? ReadOptions(AttributeData attribute)
        {
            LocationInfo? location = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)) ?? ClassLocation;
            if (attribute.ConstructorArguments.Length != 1 || EnumName(attribute.ConstructorArguments[0]) is not string mode)
            {
                Report(DiagnosticDescriptors.InvalidAttribute, location, "[Quantize] needs a constant QuantMode, e.g. [Quantize(QuantMode.Static)]");
                return null;
            }

            string weights = "PerTensorSymmetric", activations = "MinMax";
            bool strict = false;
            foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
            {
                switch (named.Key)
                {
                    case "Weights" when EnumName(named.Value) is string w:
                        weights = w;
                        break;
                    case "Activations" when EnumName(named.Value) is string a:
                        activations = a;
                        break;
                    case "Strict" when named.Value.Value is bool s:
                        strict = s;
                        break;
                    default:
                        Report(DiagnosticDescriptors.InvalidAttribute, location, $"[Quantize] has a value for '{named.Key}' the generator cannot read");
                        return null;
                }
            }

            return new QuantizeOptions(mode, weights, activations, strict);
        }

        private static string? EnumName(TypedConstant constant)
        {
            if (constant.Kind != TypedConstantKind.Enum || constant.Type is null || constant.Value is null) return null;
            foreach (ISymbol member in constant.Type.GetMembers())
            {
                if (member is IFieldSymbol { HasConstantValue: true } field && Equals(field.ConstantValue, constant.Value))
                {
                    return field.Name;
                }
            }

            return null;
        }

        private AttributeData[] Attributes(string metadataName)
        {
            var found = new List<AttributeData>();
            foreach (AttributeData attribute in type.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == metadataName) found.Add(attribute);
            }

            return found.ToArray();
        }

        private EquatableArray<int>? ReadInputShape()
        {
            AttributeData[] found = Attributes(InputShapeAttribute);
            if (found.Length == 0)
            {
                Report(DiagnosticDescriptors.MissingInputShape, ClassLocation, type.Name);
                return null;
            }

            AttributeData attribute = found[0];
            LocationInfo? location = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)) ?? ClassLocation;
            var dims = new List<int>();
            if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0] is { Kind: TypedConstantKind.Array, IsNull: false })
            {
                foreach (TypedConstant value in attribute.ConstructorArguments[0].Values)
                {
                    if (value.Value is int dim && dim > 0) dims.Add(dim);
                    else dims.Add(-1);
                }
            }

            if (dims.Count == 0 || dims.Contains(-1))
            {
                Report(DiagnosticDescriptors.InvalidAttribute, location,
                    "[InputShape] needs one or more positive constant dimensions, without the batch dimension, e.g. [InputShape(1, 28, 28)]");
                return null;
            }

            return dims.ToEquatableArray();
        }

        /// <summary>
        /// What QG0002's code fix writes: the input its first layer implies (a Linear's input features exactly, a
        /// Conv2d's input channels with a 28 × 28 placeholder), else <c>1, 28, 28</c>.
        /// </summary>
        private void GuessInputShape(ModelRead forward)
        {
            string guess = "1, 28, 28";
            foreach (ForwardStep step in forward.Steps)
            {
                LayerSpec? layer = forward.Layers.Find(l => l.Name == step.Layer);
                if (step.Op.InputShapeGuess(new OpArgs(layer?.Args ?? step.Args)) is string implied)
                {
                    guess = implied;
                    break;
                }
            }

            int index = Diagnostics.FindIndex(d => d.Id == DiagnosticDescriptors.MissingInputShape.Id);
            if (index >= 0) Diagnostics[index] = Diagnostics[index] with { FixValue = guess };
        }

        private List<FusePattern> ReadFuses()
        {
            var patterns = new List<FusePattern>();
            foreach (AttributeData attribute in Attributes(FuseAttribute))
            {
                LocationInfo? location = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)) ?? ClassLocation;
                var kinds = new List<string>();
                // A null array (Fuse(null)) has no Values to read: TypedConstant.Values throws on it.
                bool valid = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0] is { Kind: TypedConstantKind.Array, IsNull: false };
                if (valid)
                {
                    foreach (TypedConstant value in attribute.ConstructorArguments[0].Values)
                    {
                        if (value.Value is string kind && FusionPatterns.Roles.Contains(kind)) kinds.Add(kind);
                        else valid = false;
                    }
                }

                if (!valid || kinds.Count < 2)
                {
                    Report(DiagnosticDescriptors.InvalidAttribute, location,
                        $"[Fuse] needs two or more constant kinds out of {string.Join(", ", FusionPatterns.Roles)}, e.g. {FusionPatterns.Example}");
                    continue;
                }

                patterns.Add(new FusePattern(kinds.ToEquatableArray(), location));
            }

            return patterns;
        }

        /// <summary>Every <c>[KeepFloat]</c> path with its argument's location; whether each names a module is planning's check (QG0015).</summary>
        private List<KeptPath> ReadKeepFloat()
        {
            var paths = new List<KeptPath>();
            foreach (AttributeData attribute in Attributes(KeepFloatAttribute))
            {
                SyntaxNode? syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
                LocationInfo? location = LocationInfo.From(syntax) ?? ClassLocation;
                var arguments = (syntax as AttributeSyntax)?.ArgumentList?.Arguments;
                // A null array (KeepFloat(null)) has no Values to read: TypedConstant.Values throws on it.
                bool valid = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0] is { Kind: TypedConstantKind.Array, IsNull: false };
                ImmutableArray<TypedConstant> values = valid ? attribute.ConstructorArguments[0].Values : ImmutableArray<TypedConstant>.Empty;
                for (int i = 0; valid && i < values.Length; i++)
                {
                    if (values[i].Value is not string path || path.Length == 0)
                    {
                        valid = false;
                        break;
                    }

                    // Each path where it is written, when the arguments are written one by one (not as an array).
                    LocationInfo? at = arguments is { } list && list.Count == values.Length ? LocationInfo.From(list[i].Expression) : location;
                    paths.Add(new KeptPath(path, at));
                }

                if (!valid || values.Length == 0)
                {
                    Report(DiagnosticDescriptors.InvalidAttribute, location,
                        "[KeepFloat] needs one or more constant module paths, e.g. [KeepFloat(\"features.18\", \"classifier.1\")]");
                }
            }

            return paths;
        }

        // ---- the module tree and Forward ----

        /// <summary>
        /// Builds the class with its constructor's defaults through the constant interpreter (blocks, Sequentials,
        /// arrays of modules and all), names its leaf layers and blocks by module path, and reads Forward with blocks
        /// inlined and loops unrolled.
        /// </summary>
        private ModelRead? ReadModel()
        {
            var interpreter = new ConstantInterpreter(semanticModel.Compilation, cancellationToken);
            (ModelRead? read, DiagnosticInfo? failure) = interpreter.ReadModel(type, declaration);
            if (failure is not null) Diagnostics.Add(failure);
            return read;
        }
    }
}
