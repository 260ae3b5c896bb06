using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Parsing;

/// <summary>
/// Reads one <c>[Quantize]</c> class (its attributes, module members and <c>Forward</c>) into a
/// <see cref="ModelSpec"/>. The only place that sees symbols and syntax. It never throws: whatever it cannot
/// read becomes a diagnostic that points at the construct, and then no model is returned.
/// </summary>
internal static class ModelParser
{
    public const string InputShapeAttribute = "QuantGen.InputShapeAttribute";
    public const string FuseAttribute = "QuantGen.FuseAttribute";

    /// <summary>The kinds a <c>[Fuse]</c> pattern may name.</summary>
    public static readonly string[] FuseKinds = ["Conv", "BN", "Linear", "ReLU", "ReLU6"];

    /// <summary>The runtime's modules the generator knows the shape rules of, by namespace.</summary>
    private static readonly Dictionary<string, string> KnownModules = new(StringComparer.Ordinal)
    {
        ["QuantGen.Nn.Conv2d"] = "Conv2d",
        ["QuantGen.Nn.BatchNorm2d"] = "BatchNorm2d",
        ["QuantGen.Nn.Linear"] = "Linear",
        ["QuantGen.Nn.ReLU"] = "ReLU",
        ["QuantGen.Nn.ReLU6"] = "ReLU6",
        ["QuantGen.Nn.MaxPool2d"] = "MaxPool2d",
        ["QuantGen.Nn.AvgPool2d"] = "AvgPool2d",
        ["QuantGen.Nn.AdaptiveAvgPool2d"] = "AdaptiveAvgPool2d",
        ["QuantGen.Nn.Flatten"] = "Flatten",
        ["QuantGen.Nn.Dropout"] = "Dropout",
        ["QuantGen.Nn.Identity"] = "Identity",
        ["QuantGen.Nn.LayerNorm"] = "LayerNorm",
        ["QuantGen.Nn.Softmax"] = "Softmax",
        ["QuantGen.Quantization.QuantStub"] = "QuantStub",
        ["QuantGen.Quantization.DeQuantStub"] = "DeQuantStub",
    };

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetNode is not ClassDeclarationSyntax declaration || context.TargetSymbol is not INamedTypeSymbol type)
        {
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        // A class still being typed (no name yet): the compiler reports it; nothing to read.
        if (declaration.Identifier.IsMissing || !IsWellNamed(type))
        {
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        var reader = new Reader(context.SemanticModel, declaration, type, cancellationToken);
        ModelSpec? model = reader.Read(context.Attributes);
        return new ParseResult(model, reader.Diagnostics.ToEquatableArray());
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

        private readonly HashSet<string> unreadableLayers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, LayerSpec> layers = new(StringComparer.Ordinal);
        private readonly List<LayerSpec> layerOrder = [];

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
            ReadLayers();
            (List<ForwardStep> steps, int output)? forward = ReadForward();

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

            string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
            return new ModelSpec(ns, type.Name, inputShape.Value, options, fuses.ToEquatableArray(),
                layerOrder.ToEquatableArray(), forward.Value.steps.ToEquatableArray(), forward.Value.output);
        }

        /// <summary>The names the generated half declares in the class.</summary>
        private static readonly string[] ReservedNames = ["InputLength", "OutputLength", "Shapes", "Int8", "Calibrate", "Convert"];

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
                        if (member.IsImplicitlyDeclared) continue;
                        if (!SymbolEqualityComparer.Default.Equals(t, type) && member.DeclaredAccessibility == Accessibility.Private) continue;
                        return member;
                    }
                }
            }

            return null;
        }

        private bool HasErrorsOrUnreadable() => Diagnostics.Count > 0;

        private void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] args) =>
            Diagnostics.Add(DiagnosticInfo.Create(descriptor, location, args));

        private void Unreadable(SyntaxNode node, string what) =>
            Report(DiagnosticDescriptors.UnreadableConstruct, LocationInfo.From(node), what);

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
                        if (value.Value is string kind && Array.IndexOf(FuseKinds, kind) >= 0) kinds.Add(kind);
                        else valid = false;
                    }
                }

                if (!valid || kinds.Count < 2)
                {
                    Report(DiagnosticDescriptors.InvalidAttribute, location,
                        $"[Fuse] needs two or more constant kinds out of {string.Join(", ", FuseKinds)}, e.g. [Fuse(\"Conv\", \"BN\", \"ReLU\")]");
                    continue;
                }

                patterns.Add(new FusePattern(kinds.ToEquatableArray(), location));
            }

            return patterns;
        }

        // ---- layers ----

        private static bool IsModule(ITypeSymbol? symbol)
        {
            for (ITypeSymbol? t = symbol; t is not null; t = t.BaseType)
            {
                if (t.ToDisplayString() == "QuantGen.Nn.Module") return true;
            }

            return false;
        }

        private void ReadLayers()
        {
            foreach (MemberDeclarationSyntax member in declaration.Members)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member is FieldDeclarationSyntax field)
                {
                    foreach (VariableDeclaratorSyntax variable in field.Declaration.Variables)
                    {
                        if (semanticModel.GetDeclaredSymbol(variable, cancellationToken) is IFieldSymbol { IsStatic: false } symbol)
                        {
                            ReadMember(symbol.Name, symbol.Type, variable.Initializer?.Value, variable);
                        }
                    }
                }
                else if (member is PropertyDeclarationSyntax property
                    && semanticModel.GetDeclaredSymbol(property, cancellationToken) is IPropertySymbol { IsStatic: false } symbol)
                {
                    ReadMember(symbol.Name, symbol.Type, property.Initializer?.Value, property);
                }
            }
        }

        private void ReadMember(string name, ITypeSymbol memberType, ExpressionSyntax? initializer, SyntaxNode declarationNode)
        {
            if (memberType is IArrayTypeSymbol array && IsModule(array.ElementType))
            {
                unreadableLayers.Add(name);
                Unreadable(declarationNode, $"the module array '{name}' (arrays of modules are read in a later version)");
                return;
            }

            if (!IsModule(memberType)) return;

            if (!KnownModules.TryGetValue(memberType.ToDisplayString(), out string? kind))
            {
                unreadableLayers.Add(name);
                Unreadable(declarationNode, $"'{name}' of type '{memberType.Name}' (sub-modules and this module type are read in a later version)");
                return;
            }

            if (initializer is not BaseObjectCreationExpressionSyntax creation)
            {
                unreadableLayers.Add(name);
                Unreadable(declarationNode, $"'{name}', which is not initialized with 'new {memberType.Name}(...)' of constants");
                return;
            }

            if (semanticModel.GetOperation(creation, cancellationToken) is not IObjectCreationOperation operation || operation.Constructor is null)
            {
                unreadableLayers.Add(name);
                Unreadable(creation, $"the construction of '{name}'");
                return;
            }

            var args = new List<LayerArg>();
            foreach (IArgumentOperation argument in operation.Arguments)
            {
                IParameterSymbol? parameter = argument.Parameter;
                if (parameter is null || argument.ArgumentKind == ArgumentKind.ParamArray)
                {
                    unreadableLayers.Add(name);
                    Unreadable(argument.Syntax, $"an argument of '{name}'");
                    return;
                }

                bool isDefault = argument.ArgumentKind == ArgumentKind.DefaultValue;
                object? value;
                if (isDefault)
                {
                    if (!parameter.HasExplicitDefaultValue)
                    {
                        unreadableLayers.Add(name);
                        Unreadable(creation, $"the default of '{parameter.Name}' of '{name}'");
                        return;
                    }

                    value = parameter.ExplicitDefaultValue;
                }
                else if (ConstantOf(argument.Value) is { HasValue: true } constant)
                {
                    value = constant.Value;
                }
                else
                {
                    unreadableLayers.Add(name);
                    Unreadable(argument.Syntax, $"the argument '{parameter.Name}' of '{name}', which is not a constant");
                    return;
                }

                if (Format(value) is not { } formatted)
                {
                    unreadableLayers.Add(name);
                    Unreadable(argument.Syntax, $"the argument '{parameter.Name}' of '{name}'");
                    return;
                }

                LocationInfo? location = isDefault ? null : LocationInfo.From(argument.Syntax);
                args.Add(new LayerArg(parameter.Name, formatted.Text, formatted.Integer, location));
            }

            // Parameter order, whatever order the arguments were written in.
            args.Sort((a, b) => ParameterOrdinal(operation.Constructor, a.Name).CompareTo(ParameterOrdinal(operation.Constructor, b.Name)));
            var layer = new LayerSpec(name, kind, args.ToEquatableArray(), LocationInfo.From(creation));
            layers[name] = layer;
            layerOrder.Add(layer);
        }

        private static int ParameterOrdinal(IMethodSymbol constructor, string name)
        {
            foreach (IParameterSymbol parameter in constructor.Parameters)
            {
                if (parameter.Name == name) return parameter.Ordinal;
            }

            return int.MaxValue;
        }

        private static Optional<object?> ConstantOf(IOperation value)
        {
            if (value.ConstantValue.HasValue) return value.ConstantValue;
            // int → int? and similar wrap the constant in a conversion that is not itself constant.
            return value is IConversionOperation conversion ? conversion.Operand.ConstantValue : default;
        }

        private static (string Text, long? Integer)? Format(object? value) => value switch
        {
            null => ("null", null),
            bool b => (b ? "true" : "false", null),
            int i => (i.ToString(CultureInfo.InvariantCulture), i),
            long l => (l.ToString(CultureInfo.InvariantCulture), l),
            short s => (s.ToString(CultureInfo.InvariantCulture), s),
            byte b8 => (b8.ToString(CultureInfo.InvariantCulture), b8),
            float f => (f.ToString("R", CultureInfo.InvariantCulture) + "f", null),
            double d => (d.ToString("R", CultureInfo.InvariantCulture), null),
            _ => null,
        };

        // ---- Forward ----

        private (List<ForwardStep> steps, int output)? ReadForward()
        {
            MethodDeclarationSyntax? forward = null;
            foreach (MemberDeclarationSyntax member in declaration.Members)
            {
                if (member is MethodDeclarationSyntax { Identifier.ValueText: "Forward", ParameterList.Parameters.Count: 1 } method)
                {
                    forward = method;
                    break;
                }
            }

            if (forward is null)
            {
                Report(DiagnosticDescriptors.UnreadableConstruct, ClassLocation, $"'{type.Name}' without a Forward(Tensor) method");
                return null;
            }

            var state = new ForwardState(forward.ParameterList.Parameters[0].Identifier.ValueText);
            if (forward.ExpressionBody is { } arrow)
            {
                int? output = ReadExpression(arrow.Expression, state);
                return output is int o ? (state.Steps, o) : null;
            }

            if (forward.Body is null)
            {
                Report(DiagnosticDescriptors.UnreadableConstruct, LocationInfo.From(forward.Identifier.GetLocation()), "a Forward without a body");
                return null;
            }

            foreach (StatementSyntax statement in forward.Body.Statements)
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (statement)
                {
                    case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Left: IdentifierNameSyntax target } assignment }
                        when state.Values.ContainsKey(target.Identifier.ValueText):
                        if (ReadExpression(assignment.Right, state) is not int assigned) return null;
                        state.Values[target.Identifier.ValueText] = assigned;
                        break;

                    case LocalDeclarationStatementSyntax local:
                        foreach (VariableDeclaratorSyntax variable in local.Declaration.Variables)
                        {
                            if (variable.Initializer is null)
                            {
                                Unreadable(variable, $"the local '{variable.Identifier.ValueText}' without a value");
                                return null;
                            }

                            if (ReadExpression(variable.Initializer.Value, state) is not int value) return null;
                            state.Values[variable.Identifier.ValueText] = value;
                        }

                        break;

                    case ReturnStatementSyntax { Expression: { } returned }:
                        return ReadExpression(returned, state) is int output ? (state.Steps, output) : null;

                    default:
                        Unreadable(statement, $"the statement '{Describe(statement)}' in Forward");
                        return null;
                }
            }

            Unreadable(forward.Body, "a Forward that does not end in 'return'");
            return null;
        }

        private sealed class ForwardState(string input)
        {
            public Dictionary<string, int> Values { get; } = new(StringComparer.Ordinal) { [input] = 0 };

            public List<ForwardStep> Steps { get; } = [];

            public int Add(ForwardOp op, string target, long integer, SyntaxNode node, params int[] inputs)
            {
                Steps.Add(new ForwardStep(op, target, new EquatableArray<int>(inputs), integer, LocationInfo.From(node)));
                return Steps.Count;
            }
        }

        private int? ReadExpression(ExpressionSyntax expression, ForwardState state)
        {
            switch (expression)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    return ReadExpression(parenthesized.Expression, state);

                case IdentifierNameSyntax identifier when state.Values.TryGetValue(identifier.Identifier.ValueText, out int value):
                    return value;

                case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression } add:
                    if (ReadExpression(add.Left, state) is not int left || ReadExpression(add.Right, state) is not int right) return null;
                    return state.Add(ForwardOp.Add, "+", 0, add, left, right);

                case InvocationExpressionSyntax invocation:
                    return ReadInvocation(invocation, state);

                default:
                    Unreadable(expression, $"the expression '{Describe(expression)}' in Forward");
                    return null;
            }
        }

        private int? ReadInvocation(InvocationExpressionSyntax invocation, ForwardState state)
        {
            SeparatedSyntaxList<ArgumentSyntax> arguments = invocation.ArgumentList.Arguments;
            switch (invocation.Expression)
            {
                // field.Forward(x) or this.field.Forward(x)
                case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Forward" } access when arguments.Count == 1:
                {
                    string? field = access.Expression switch
                    {
                        IdentifierNameSyntax id => id.Identifier.ValueText,
                        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax id } => id.Identifier.ValueText,
                        _ => null,
                    };

                    if (field is not null && unreadableLayers.Contains(field)) return null; // already reported at the field
                    if (field is null || !layers.ContainsKey(field) || !IsMemberOfThisClass(access.Expression))
                    {
                        Unreadable(invocation, $"the call '{Describe(invocation)}' (not a module field of this class)");
                        return null;
                    }

                    if (ReadExpression(arguments[0].Expression, state) is not int input) return null;
                    return state.Add(ForwardOp.Layer, field, 0, invocation, input);
                }

                // Flatten(x [, startDim]) or Functional.Flatten(...)
                case IdentifierNameSyntax { Identifier.ValueText: "Flatten" } or MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "Functional" }, Name.Identifier.ValueText: "Flatten" }
                    when arguments.Count is 1 or 2 && CallsRuntime(invocation, "Flatten"):
                {
                    long startDim = 1;
                    if (arguments.Count == 2)
                    {
                        if (semanticModel.GetConstantValue(arguments[1].Expression, cancellationToken) is not { HasValue: true, Value: int start })
                        {
                            Unreadable(arguments[1], "a Flatten start dimension that is not a constant int");
                            return null;
                        }

                        startDim = start;
                    }

                    if (ReadExpression(arguments[0].Expression, state) is not int input) return null;
                    return state.Add(ForwardOp.Flatten, "Flatten", startDim, invocation, input);
                }

                // Functional.Relu(x), Functional.Relu6(x), Functional.Add(a, b)
                case MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "Functional" }, Name.Identifier.ValueText: "Relu" or "Relu6" } functional
                    when arguments.Count == 1 && CallsRuntime(invocation, functional.Name.Identifier.ValueText):
                {
                    if (ReadExpression(arguments[0].Expression, state) is not int input) return null;
                    return state.Add(ForwardOp.Functional, functional.Name.Identifier.ValueText, 0, invocation, input);
                }

                case MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "Functional" }, Name.Identifier.ValueText: "Add" }
                    when arguments.Count == 2 && CallsRuntime(invocation, "Add"):
                {
                    if (ReadExpression(arguments[0].Expression, state) is not int left || ReadExpression(arguments[1].Expression, state) is not int right) return null;
                    return state.Add(ForwardOp.Add, "Add", 0, invocation, left, right);
                }

                default:
                    Unreadable(invocation, $"the call '{Describe(invocation)}' in Forward");
                    return null;
            }
        }

        /// <summary>
        /// True when <paramref name="invocation"/> binds to the runtime's method of that name (Module.Flatten or
        /// Functional.X), not to a method of the user's that happens to share the name.
        /// </summary>
        private bool CallsRuntime(InvocationExpressionSyntax invocation, string name)
        {
            if (semanticModel.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method || method.Name != name) return false;
            string? containing = method.ContainingType?.ToDisplayString();
            return containing is "QuantGen.Nn.Module" or "QuantGen.Nn.Functional";
        }

        /// <summary>True when <paramref name="expression"/> is a field or property of the annotated class (not a local of the same name).</summary>
        private bool IsMemberOfThisClass(ExpressionSyntax expression) =>
            semanticModel.GetSymbolInfo(expression, cancellationToken).Symbol is { Kind: SymbolKind.Field or SymbolKind.Property } member
            && SymbolEqualityComparer.Default.Equals(member.ContainingType, type);

        private static string Describe(SyntaxNode node)
        {
            string text = node.ToString().Replace("\r", " ").Replace("\n", " ").Trim();
            return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
        }
    }
}
