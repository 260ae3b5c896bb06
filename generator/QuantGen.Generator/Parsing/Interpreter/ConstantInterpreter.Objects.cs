using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;

namespace QuantGen.Generator.Parsing.Interpreter;

// Object creation: leaf modules, Sequentials, the user's block classes (their constructors run here), lists,
// arrays, collection expressions and exceptions.
internal sealed partial class ConstantInterpreter
{
    private object? Create(IObjectCreationOperation creation, Frame frame)
    {
        if (creation.Type is not INamedTypeSymbol type || creation.Constructor is not { } constructor)
        {
            throw Unreadable(creation.Syntax, $"the creation '{Describe(creation.Syntax)}'");
        }

        if (IsModule(type))
        {
            if (creation.Initializer is not null) throw Unreadable(creation.Initializer.Syntax, $"an object initializer on a module, '{Describe(creation.Syntax)}'");
            if (OpRegistry.ForModule(type) is { } op) return CreateLeaf(type, op, creation, frame);
            if (IsNamed(type, SequentialType)) return CreateSequential(type, creation, frame);
            if (IsFromSource(type) && !type.IsAbstract && !type.IsGenericType) return CreateBlock(type, constructor, creation, frame);
            throw Unreadable(creation.Syntax, $"'{Describe(creation.Syntax)}' (the module type '{type.Name}' is not one the generator knows, nor a class in source)");
        }

        if (IsNamed(type.OriginalDefinition, "System.Collections.Generic.List<T>"))
        {
            var list = new ListValue([]);
            if (creation.Initializer is { } initializer)
            {
                object? outer = frame.ImplicitReceiver;
                frame.ImplicitReceiver = list;
                foreach (IOperation add in initializer.Initializers) Evaluate(add, frame);
                frame.ImplicitReceiver = outer;
            }

            return list;
        }

        if (IsException(type) && creation.Initializer is null)
        {
            string message = "";
            foreach (IArgumentOperation argument in creation.Arguments)
            {
                if (argument.Parameter?.Name == "message") message = ValueText.AsString(Evaluate(argument.Value, frame));
            }

            return new ExceptionValue(type.Name, message);
        }

        throw NotConstant(creation.Syntax, "");
    }

    private static bool IsException(ITypeSymbol type)
    {
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (IsNamed(t, "System.Exception")) return true;
        }

        return false;
    }

    private ListValue CreateArray(IArrayCreationOperation array, Frame frame)
    {
        if (array.Initializer is { } initializer)
        {
            var items = new List<object?>();
            foreach (IOperation element in initializer.ElementValues) items.Add(Evaluate(element, frame));
            return new ListValue(items);
        }

        if (array.DimensionSizes.Length != 1) throw Unreadable(array.Syntax, $"the array '{Describe(array.Syntax)}'");
        object? size = Evaluate(array.DimensionSizes[0], frame);
        long length = Arithmetic.IsNumber(size) ? Arithmetic.ToLong(size) : -1;
        if (length < 0 || length > MaxItems) throw Unreadable(array.Syntax, $"an array of {ValueText.AsString(size)} items");
        object? empty = array.Type is IArrayTypeSymbol arrayType ? DefaultOf(arrayType.ElementType) : null;
        var filled = new List<object?>();
        for (int i = 0; i < length; i++) filled.Add(empty);
        return new ListValue(filled);
    }

    private ListValue CreateCollection(ICollectionExpressionOperation collection, Frame frame)
    {
        var items = new List<object?>();
        foreach (IOperation element in collection.Elements)
        {
            if (element is ISpreadOperation spread)
            {
                foreach (object? item in Enumerate(Evaluate(spread.Operand, frame), spread.Operand.Syntax)) items.Add(item);
            }
            else
            {
                items.Add(Evaluate(element, frame));
            }

            if (items.Count > MaxItems) throw Unreadable(collection.Syntax, $"a collection of more than {MaxItems:N0} items");
        }

        return new ListValue(items);
    }

    // ---- modules ----

    private ModuleValue CreateLeaf(INamedTypeSymbol type, OpDescriptor op, IObjectCreationOperation creation, Frame frame)
    {
        var module = new ModuleValue(type, op, creation.Syntax, "");
        foreach (IArgumentOperation argument in creation.Arguments)
        {
            IParameterSymbol? parameter = argument.Parameter;
            if (parameter is null || argument.ArgumentKind == ArgumentKind.ParamArray)
            {
                throw Unreadable(argument.Syntax, $"an argument of '{Subject(type)}'");
            }

            bool isDefault = argument.ArgumentKind == ArgumentKind.DefaultValue;
            object? value;
            try
            {
                value = Evaluate(argument.Value, frame);
            }
            catch (EvaluationStopped stopped) when (stopped.NotConstant)
            {
                throw Unreadable(argument.Syntax, $"the argument '{parameter.Name}' of '{Subject(type)}', which is not a constant");
            }

            if (ValueText.AsSource(value) is not { } text || value is string)
            {
                throw Unreadable(argument.Syntax, $"the argument '{parameter.Name}' of '{Subject(type)}'");
            }

            module.LeafArgs.Add(new LayerArg(parameter.Name, text.Text, text.Integer, isDefault ? null : LocationInfo.From(argument.Syntax)));
        }

        // Parameter order, whatever order the arguments were written in.
        module.LeafArgs.Sort((a, b) => Ordinal(creation.Constructor!, a.Name).CompareTo(Ordinal(creation.Constructor!, b.Name)));
        return module;
    }

    /// <summary>The member being initialized (<c>fc2</c>), or the layer in the constructor that builds it (<c>Conv2d in InvertedResidual</c>).</summary>
    private string Subject(INamedTypeSymbol type) => subject.Length > 0 ? subject : constructing.Length > 0 ? $"{type.Name} in {constructing}" : type.Name;

    private static int Ordinal(IMethodSymbol constructor, string name)
    {
        foreach (IParameterSymbol parameter in constructor.Parameters)
        {
            if (parameter.Name == name) return parameter.Ordinal;
        }

        return int.MaxValue;
    }

    private ModuleValue CreateSequential(INamedTypeSymbol type, IObjectCreationOperation creation, Frame frame)
    {
        var sequential = new ModuleValue(type, null, creation.Syntax, "");
        Register(sequential, Bind(creation.Arguments, frame), creation.Syntax);
        return sequential;
    }

    /// <summary>The modules handed to Sequential's constructor (<c>params Module[]</c>) become its children 0, 1, 2…</summary>
    private static void Register(ModuleValue sequential, Dictionary<ISymbol, object?> arguments, SyntaxNode node)
    {
        foreach (object? layers in arguments.Values)
        {
            if (layers is not ListValue list) throw NotConstant(node, "");
            foreach (object? layer in list.Items)
            {
                if (layer is not ModuleValue module)
                {
                    throw new EvaluationStopped(new ExceptionValue("ArgumentNullException", "Sequential: a layer is null."), LocationInfo.From(node));
                }

                sequential.Registered.Add(module);
            }
        }
    }

    private ModuleValue CreateBlock(INamedTypeSymbol type, IMethodSymbol constructor, IObjectCreationOperation creation, Frame frame)
    {
        Dictionary<ISymbol, object?> arguments = Bind(creation.Arguments, frame);
        string call = type.Name + "(" + ArgumentText(creation.Arguments, arguments) + ")";
        if (blocksUnderConstruction.Count >= MaxBlockNesting)
        {
            string chain = string.Join(" → ", blocksUnderConstruction.GetRange(blocksUnderConstruction.Count - 4, 4));
            throw BlockFailure(creation.Syntax, call, $"blocks nest more than {MaxBlockNesting} deep (… → {chain} → {type.Name}); a block that builds itself never ends");
        }

        var block = new ModuleValue(type, null, creation.Syntax, ArgumentText(creation.Arguments, arguments));
        blocksUnderConstruction.Add(type.Name);
        try
        {
            Construct(block, type, constructor, arguments, creation.Syntax);
        }
        catch (EvaluationStopped stopped) when (stopped.Thrown is { } thrown)
        {
            // The constructor rejected its arguments: a compile error at the creation that passed them.
            throw BlockFailure(creation.Syntax, call, $"{thrown.TypeName}: {thrown.Message}");
        }

        blocksUnderConstruction.RemoveAt(blocksUnderConstruction.Count - 1);
        return block;
    }

    /// <summary>The arguments as written, with their values: <c>32, 16, stride: 1, expandRatio: 1</c>; defaults left out.</summary>
    private static string ArgumentText(ImmutableArray<IArgumentOperation> arguments, Dictionary<ISymbol, object?> values)
    {
        var text = new StringBuilder();
        foreach (IArgumentOperation argument in arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue || argument.Parameter is null) continue;
            if (text.Length > 0) text.Append(", ");
            if (argument.Syntax is ArgumentSyntax { NameColon: { } name }) text.Append(name.Name.Identifier.ValueText).Append(": ");
            object? value = values.TryGetValue(argument.Parameter.OriginalDefinition, out object? v) ? v : null;
            text.Append(ValueText.AsSource(value)?.Text ?? Describe(argument.Value.Syntax));
        }

        return text.ToString();
    }

    /// <summary>
    /// Runs <paramref name="constructor"/> of <paramref name="type"/> on <paramref name="instance"/> as C# does: a
    /// <c>this(...)</c> chain first; otherwise the field initializers, the base constructor, then the body.
    /// </summary>
    private void Construct(ModuleValue instance, INamedTypeSymbol type, IMethodSymbol constructor, Dictionary<ISymbol, object?> arguments, SyntaxNode call)
    {
        EnterCall(call);
        var frame = new Frame(instance);
        foreach (KeyValuePair<ISymbol, object?> argument in arguments) frame.Locals[argument.Key] = argument.Value;

        SyntaxNode? declaration = constructor.DeclaringSyntaxReferences.Length == 1 ? constructor.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) : null;
        string outerSubject = subject, outerClass = constructing;
        constructing = type.Name;
        switch (declaration)
        {
            case ConstructorDeclarationSyntax written:
            {
                if (OperationOf(written) is not IConstructorBodyOperation body) throw Unreadable(written, $"the constructor of '{type.Name}'");
                IInvocationOperation? chained = (body.Initializer as IExpressionStatementOperation)?.Operation as IInvocationOperation;
                if (chained is not null && SymbolEqualityComparer.Default.Equals(chained.TargetMethod.ContainingType, type))
                {
                    Construct(instance, type, chained.TargetMethod, Bind(chained.Arguments, frame), written);
                }
                else
                {
                    InitializeFields(instance, type, frame);
                    ConstructBase(instance, type, chained, frame, written);
                }

                subject = "";
                Execute((IOperation?)body.BlockBody ?? body.ExpressionBody, frame);
                break;
            }

            case TypeDeclarationSyntax primary:
                // A primary constructor: its parameters stay readable by the class's methods (Forward).
                foreach (IParameterSymbol parameter in constructor.Parameters)
                {
                    instance.Captured[parameter] = frame.Locals.TryGetValue(parameter, out object? value) ? value : null;
                }

                InitializeFields(instance, type, frame);
                ConstructBase(instance, type, PrimaryBaseCall(primary), frame, primary);
                break;

            default:
                InitializeFields(instance, type, frame);
                ConstructBase(instance, type, null, frame, call);
                break;
        }

        subject = outerSubject;
        constructing = outerClass;
        LeaveCall();
    }

    /// <summary>The base constructor call of a primary constructor: <c>: Sequential(new Conv2d(...), ...)</c>.</summary>
    private IInvocationOperation? PrimaryBaseCall(TypeDeclarationSyntax declaration)
    {
        if (declaration.BaseList is null) return null;
        foreach (BaseTypeSyntax baseType in declaration.BaseList.Types)
        {
            if (baseType is PrimaryConstructorBaseTypeSyntax call) return OperationOf(call) as IInvocationOperation;
        }

        return null;
    }

    private void ConstructBase(ModuleValue instance, INamedTypeSymbol type, IInvocationOperation? call, Frame frame, SyntaxNode at)
    {
        INamedTypeSymbol? baseType = type.BaseType;
        if (baseType is null || IsNamed(baseType, ModuleType)) return;
        if (IsNamed(baseType, SequentialType))
        {
            if (call is not null) Register(instance, Bind(call.Arguments, frame), call.Syntax);
            return;
        }

        if (!IsFromSource(baseType) || baseType.IsGenericType)
        {
            throw Unreadable(at, $"'{type.Name}', whose base class '{baseType.Name}' is not Module, Sequential or a class in source");
        }

        IMethodSymbol? baseConstructor = call?.TargetMethod ?? ParameterlessConstructor(baseType);
        if (baseConstructor is null) throw Unreadable(at, $"the base constructor of '{type.Name}'");
        Dictionary<ISymbol, object?> arguments = call is null ? Defaults(baseConstructor) : Bind(call.Arguments, frame);
        Construct(instance, baseType, baseConstructor, arguments, at);
    }

    /// <summary>A constructor callable without arguments: none, or every parameter with a default.</summary>
    public static IMethodSymbol? ParameterlessConstructor(INamedTypeSymbol type)
    {
        foreach (IMethodSymbol constructor in type.InstanceConstructors)
        {
            bool callable = true;
            foreach (IParameterSymbol parameter in constructor.Parameters) callable &= parameter.HasExplicitDefaultValue;
            if (callable) return constructor;
        }

        return null;
    }

    private static Dictionary<ISymbol, object?> Defaults(IMethodSymbol constructor)
    {
        var defaults = new Dictionary<ISymbol, object?>(SymbolEqualityComparer.Default);
        foreach (IParameterSymbol parameter in constructor.Parameters)
        {
            defaults[parameter.OriginalDefinition] = Arithmetic.Convert(parameter.ExplicitDefaultValue, parameter.Type).Value;
        }

        return defaults;
    }

    /// <summary>
    /// Runs the instance field and auto-property initializers of <paramref name="type"/> in declaration order, and
    /// records which of its members the runtime takes as children (module and module-array types).
    /// </summary>
    private void InitializeFields(ModuleValue instance, INamedTypeSymbol type, Frame frame)
    {
        var children = new List<string>();
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration) continue;
            foreach (MemberDeclarationSyntax member in declaration.Members)
            {
                switch (member)
                {
                    case FieldDeclarationSyntax field when !IsStatic(field.Modifiers):
                        foreach (VariableDeclaratorSyntax variable in field.Declaration.Variables)
                        {
                            if (SemanticModelOf(variable)?.GetDeclaredSymbol(variable, cancellationToken) is not IFieldSymbol symbol) continue;
                            if (IsChildType(symbol.Type) && !IsNotAChild(symbol)) children.Add(symbol.Name);
                            if (variable.Initializer is { } initializer) Initialize(instance, type, symbol.Name, initializer, frame);
                        }

                        break;

                    case PropertyDeclarationSyntax property when !IsStatic(property.Modifiers):
                        if (SemanticModelOf(property)?.GetDeclaredSymbol(property, cancellationToken) is not IPropertySymbol auto || !IsAutoProperty(auto)) break;
                        if (IsChildType(auto.Type)) children.Add(auto.Name);
                        if (property.Initializer is { } propertyInitializer) Initialize(instance, type, auto.Name, propertyInitializer, frame);
                        break;
                }
            }
        }

        // Base class members come first at run time; this type's constructor runs before its base's, so prepend.
        instance.ChildMembers.InsertRange(0, children);
    }

    private void Initialize(ModuleValue instance, INamedTypeSymbol type, string member, EqualsValueClauseSyntax initializer, Frame frame)
    {
        subject = blocksUnderConstruction.Count == 0 ? member : type.Name + "." + member;
        instance.Fields[member] = Evaluate(InitializerValue(OperationOf(initializer)), frame);
        subject = "";
    }

    private static bool IsStatic(SyntaxTokenList modifiers)
    {
        foreach (SyntaxToken modifier in modifiers)
        {
            if (modifier.ValueText is "static" or "const") return true;
        }

        return false;
    }

    private static bool IsChildType(ITypeSymbol type) => IsModule(type) || type is IArrayTypeSymbol { Rank: 1 } array && IsModule(array.ElementType);

    private static bool IsNotAChild(IFieldSymbol field)
    {
        foreach (AttributeData attribute in field.GetAttributes())
        {
            if (IsNamed(attribute.AttributeClass, "QuantGen.Nn.NotAChildAttribute")) return true;
        }

        return false;
    }

    private static bool IsSequential(ITypeSymbol? type)
    {
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (IsNamed(t, SequentialType)) return true;
        }

        return false;
    }
}
