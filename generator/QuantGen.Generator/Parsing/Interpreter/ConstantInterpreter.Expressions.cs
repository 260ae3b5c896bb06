using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace QuantGen.Generator.Parsing.Interpreter;

// Expressions: constants, names, arithmetic, conditionals, patterns, assignments, tuples and strings.
internal sealed partial class ConstantInterpreter
{
    private object? Evaluate(IOperation? operation, Frame frame)
    {
        if (operation is null) return null;
        Tick(operation);
        if (operation.ConstantValue.HasValue) return operation.ConstantValue.Value;

        Nest(operation.Syntax);
        try
        {
            return ValueOf(operation, frame);
        }
        finally
        {
            Unnest();
        }
    }

    private object? ValueOf(IOperation operation, Frame frame)
    {
        switch (operation)
        {
            case IConversionOperation conversion:
                return Convert(Evaluate(conversion.Operand, frame), conversion.Type, conversion.Syntax);
            case ILocalReferenceOperation local:
                return Read(frame, local.Local, local.Syntax);
            case IParameterReferenceOperation parameter:
                if (frame.Locals.TryGetValue(parameter.Parameter, out object? argument)) return argument;
                if (frame.This is { } self && self.Captured.TryGetValue(parameter.Parameter, out object? captured)) return captured;
                throw NotConstant(parameter.Syntax, "");
            case IInstanceReferenceOperation instance:
                return instance.ReferenceKind == InstanceReferenceKind.ImplicitReceiver ? frame.ImplicitReceiver : frame.This;
            case IFieldReferenceOperation field:
                return ReadField(field, frame);
            case IPropertyReferenceOperation property:
                return ReadProperty(property, frame);
            case IArrayElementReferenceOperation element when element.Indices.Length == 1:
                return ItemAt(Evaluate(element.ArrayReference, frame), Evaluate(element.Indices[0], frame), element.Syntax);
            case IBinaryOperation binary:
                return Binary(binary, frame);
            case IUnaryOperation unary:
                return Arithmetic.Unary(unary.OperatorKind, Evaluate(unary.Operand, frame)) is { } result
                    ? result
                    : throw NotConstant(unary.Syntax, "");
            case IConditionalOperation { WhenFalse: not null } conditional:
                return Condition(conditional.Condition, frame, conditional.Syntax) ? Evaluate(conditional.WhenTrue, frame) : Evaluate(conditional.WhenFalse, frame);
            case ICoalesceOperation coalesce:
                return Evaluate(coalesce.Value, frame) ?? Evaluate(coalesce.WhenNull, frame);
            case IIsPatternOperation isPattern:
                return Matches(Evaluate(isPattern.Value, frame), isPattern.Pattern, frame);
            case IIsTypeOperation isType:
                return IsOfType(Evaluate(isType.ValueOperand, frame), isType.TypeOperand) != isType.IsNegated;
            case ISimpleAssignmentOperation assignment:
            {
                object? value = Evaluate(assignment.Value, frame);
                Assign(assignment.Target, value, frame);
                return value;
            }
            case ICompoundAssignmentOperation compound:
            {
                object? value = Compute(compound.OperatorKind, Evaluate(compound.Target, frame), Evaluate(compound.Value, frame), compound.Syntax);
                value = Convert(value, compound.Target.Type, compound.Syntax);
                Assign(compound.Target, value, frame);
                return value;
            }
            case IIncrementOrDecrementOperation step:
            {
                object? before = Evaluate(step.Target, frame);
                BinaryOperatorKind kind = step.Kind == OperationKind.Increment ? BinaryOperatorKind.Add : BinaryOperatorKind.Subtract;
                object? after = Convert(Compute(kind, before, 1, step.Syntax), step.Target.Type, step.Syntax);
                Assign(step.Target, after, frame);
                return step.IsPostfix ? before : after;
            }
            case IDeconstructionAssignmentOperation deconstruction:
            {
                object? value = Evaluate(deconstruction.Value, frame);
                Assign(deconstruction.Target, value, frame);
                return value;
            }
            case ITupleOperation tuple:
            {
                var items = new object?[tuple.Elements.Length];
                for (int i = 0; i < items.Length; i++) items[i] = Evaluate(tuple.Elements[i], frame);
                var value = new TupleValue(items);
                if (value.Depth > MaxTupleDepth || value.Values > MaxItems) throw Unreadable(tuple.Syntax, $"a tuple nested more than {MaxTupleDepth} deep or of more than {MaxItems:N0} values");
                return value;
            }
            case IInterpolatedStringOperation interpolated:
                return Interpolate(interpolated, frame);
            case IDefaultValueOperation defaultValue:
                return DefaultOf(defaultValue.Type);
            case IThrowOperation thrown:
                throw Thrown(Evaluate(thrown.Exception, frame), thrown.Syntax);
            case IArrayCreationOperation array:
                return CreateArray(array, frame);
            case ICollectionExpressionOperation collection:
                return CreateCollection(collection, frame);
            case IObjectCreationOperation creation:
                return Create(creation, frame);
            case IInvocationOperation invocation:
                return Invoke(invocation, frame);
            default:
                throw frame.Forward is not null
                    ? Unreadable(operation.Syntax, $"the expression '{Describe(operation.Syntax)}' in Forward")
                    : NotConstant(operation.Syntax, "");
        }
    }

    private static object? Read(Frame frame, ISymbol local, SyntaxNode node) =>
        frame.Locals.TryGetValue(local, out object? value) ? value : throw NotConstant(node, "");

    private object? Convert(object? value, ITypeSymbol? type, SyntaxNode node)
    {
        (bool ok, object? converted) = Arithmetic.Convert(value, type);
        return ok ? converted : throw NotConstant(node, "");
    }

    private object? Binary(IBinaryOperation binary, Frame frame)
    {
        object? left = Evaluate(binary.LeftOperand, frame);
        // && and || do not evaluate their right side when the left decides, as at run time.
        if (binary.OperatorKind == BinaryOperatorKind.ConditionalAnd && left is false) return false;
        if (binary.OperatorKind == BinaryOperatorKind.ConditionalOr && left is true) return true;
        object? right = Evaluate(binary.RightOperand, frame);
        if (left is TensorValue || right is TensorValue) return TensorBinary(binary, left, right, frame);
        if (binary.OperatorMethod is not null && binary.OperatorMethod.ContainingType.SpecialType != SpecialType.System_String)
        {
            throw NotConstant(binary.Syntax, "");
        }

        return Compute(binary.OperatorKind, left, right, binary.Syntax);
    }

    private object? Compute(BinaryOperatorKind kind, object? left, object? right, SyntaxNode node)
    {
        if (Arithmetic.DividesByZero(kind, left, right)) throw Thrown(new ExceptionValue("DivideByZeroException", "Attempted to divide by zero."), node);
        object? result = Arithmetic.Binary(kind, left, right);
        if (result is string { Length: > MaxItems }) throw Unreadable(node, $"a string longer than {MaxItems:N0} characters");
        return result ?? throw NotConstant(node, "");
    }

    /// <summary>A condition that must be a constant bool; in Forward a condition on anything else is reported at its statement.</summary>
    private bool Condition(IOperation condition, Frame frame, SyntaxNode statement)
    {
        object? value;
        try
        {
            value = Evaluate(condition, frame);
        }
        catch (EvaluationStopped stopped) when (stopped.NotConstant)
        {
            throw Unreadable(statement, frame.Forward is not null
                ? $"the statement '{Describe(statement)}' in Forward, whose condition is not a constant"
                : $"'{Describe(statement)}', whose condition is not a constant");
        }

        return value as bool? ?? throw NotConstant(condition.Syntax, "");
    }

    private object? ItemAt(object? collection, object? index, SyntaxNode node)
    {
        List<object?>? items = collection switch
        {
            ListValue list => list.Items,
            ModuleValue { Op: null } sequential when IsSequential(sequential.Type) => new List<object?>(sequential.Registered),
            _ => null,
        };
        if (items is null || !Arithmetic.IsNumber(index)) throw NotConstant(node, "");
        long i = Arithmetic.ToLong(index);
        if (i < 0 || i >= items.Count) throw Thrown(new ExceptionValue("IndexOutOfRangeException", $"Index {i} is outside a collection of {items.Count}."), node);
        return items[(int)i];
    }

    private object? ReadField(IFieldReferenceOperation reference, Frame frame)
    {
        IFieldSymbol field = reference.Field;
        if (field.IsStatic) return StaticField(field, reference.Syntax);

        object? instance = reference.Instance is null ? frame.This : Evaluate(reference.Instance, frame);
        if (field.ContainingType.IsTupleType && instance is TupleValue tuple)
        {
            int index = TupleIndex(field);
            if (index >= 0 && index < tuple.Items.Length) return tuple.Items[index];
        }

        if (instance is ModuleValue module && !module.IsLeaf && IsFromSource(field.ContainingType))
        {
            return module.Fields.TryGetValue(field.Name, out object? value) ? value : DefaultOf(field.Type);
        }

        throw NotConstant(reference.Syntax, "");
    }

    private static int TupleIndex(IFieldSymbol field)
    {
        IFieldSymbol element = field.CorrespondingTupleField ?? field;
        var elements = field.ContainingType.TupleElements;
        for (int i = 0; i < elements.Length; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(elements[i], element) || elements[i].Name == field.Name || field.Name == "Item" + (i + 1)) return i;
        }

        return -1;
    }

    /// <summary>A static readonly field of a class in source, evaluated once from its initializer.</summary>
    private object? StaticField(IFieldSymbol field, SyntaxNode node)
    {
        if (staticFields.TryGetValue(field, out object? cached)) return cached;
        if (!field.IsReadOnly || !IsFromSource(field.ContainingType) || staticFieldsInProgress.Contains(field)) throw NotConstant(node, "");
        if (field.DeclaringSyntaxReferences.Length != 1 || field.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer: { } initializer })
        {
            throw NotConstant(node, "");
        }

        staticFieldsInProgress.Add(field);
        object? value = Evaluate(InitializerValue(OperationOf(initializer)), new Frame(null));
        staticFieldsInProgress.Remove(field);
        staticFields[field] = value;
        return value;
    }

    private static IOperation InitializerValue(IOperation initializer) => initializer is ISymbolInitializerOperation symbolInitializer ? symbolInitializer.Value : initializer;

    private object? ReadProperty(IPropertyReferenceOperation reference, Frame frame)
    {
        IPropertySymbol property = reference.Property;
        object? instance = reference.Instance is null ? null : Evaluate(reference.Instance, frame);
        switch (instance)
        {
            case ListValue list when property.Name is "Length" or "Count" && !property.IsIndexer:
                return list.Items.Count;
            case ListValue list when property.IsIndexer && reference.Arguments.Length == 1:
                return ItemAt(list, Evaluate(reference.Arguments[0].Value, frame), reference.Syntax);
            case ModuleValue sequential when IsSequential(sequential.Type) && property.Name == "Count" && IsNamed(property.ContainingType, SequentialType):
                return sequential.Registered.Count;
            case ModuleValue sequential when IsSequential(sequential.Type) && property.IsIndexer && reference.Arguments.Length == 1:
                return ItemAt(sequential, Evaluate(reference.Arguments[0].Value, frame), reference.Syntax);
            case ModuleValue module when !module.IsLeaf && IsFromSource(property.ContainingType) && !property.IsStatic:
                if (IsAutoProperty(property)) return module.Fields.TryGetValue(property.Name, out object? value) ? value : DefaultOf(property.Type);
                if (property.GetMethod is { } getter) return Call(getter, module, ImmutableArray<IArgumentOperation>.Empty, reference.Syntax, frame);
                break;
        }

        if (property.IsStatic && instance is null && IsFromSource(property.ContainingType) && property.GetMethod is { } staticGetter && !IsAutoProperty(property))
        {
            return Call(staticGetter, null, ImmutableArray<IArgumentOperation>.Empty, reference.Syntax, frame);
        }

        throw NotConstant(reference.Syntax, "");
    }

    private bool IsAutoProperty(IPropertySymbol property)
    {
        foreach (SyntaxReference reference in property.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not PropertyDeclarationSyntax { AccessorList: { } accessors, ExpressionBody: null }) return false;
            foreach (AccessorDeclarationSyntax accessor in accessors.Accessors)
            {
                if (accessor.Body is not null || accessor.ExpressionBody is not null) return false;
            }
        }

        return property.DeclaringSyntaxReferences.Length > 0;
    }

    private static bool IsFromSource(ISymbol? symbol) => symbol is not null && symbol.Locations.Length > 0 && symbol.Locations[0].IsInSource;

    private void Assign(IOperation target, object? value, Frame frame)
    {
        switch (target)
        {
            case ILocalReferenceOperation local:
                frame.Locals[local.Local] = value;
                return;
            case IParameterReferenceOperation parameter when frame.Locals.ContainsKey(parameter.Parameter):
                frame.Locals[parameter.Parameter] = value;
                return;
            case IDeclarationExpressionOperation declaration:
                Assign(declaration.Expression, value, frame);
                return;
            case IDiscardOperation:
                return;
            case ITupleOperation tuple when value is TupleValue values && values.Items.Length == tuple.Elements.Length:
                for (int i = 0; i < values.Items.Length; i++) Assign(tuple.Elements[i], values.Items[i], frame);
                return;
            case IFieldReferenceOperation { Field.IsStatic: false } field when InstanceOf(field.Instance, frame) is ModuleValue { IsLeaf: false } owner:
                owner.Fields[field.Field.Name] = value;
                return;
            case IPropertyReferenceOperation { Property.IsStatic: false, Property.IsIndexer: false } property
                when IsAutoProperty(property.Property) && InstanceOf(property.Instance, frame) is ModuleValue { IsLeaf: false } owner:
                owner.Fields[property.Property.Name] = value;
                return;
            case IArrayElementReferenceOperation element when element.Indices.Length == 1 && Evaluate(element.ArrayReference, frame) is ListValue list:
                SetItem(list, Evaluate(element.Indices[0], frame), value, element.Syntax);
                return;
            case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Arguments.Length == 1 && Evaluate(indexer.Instance, frame) is ListValue list:
                SetItem(list, Evaluate(indexer.Arguments[0].Value, frame), value, indexer.Syntax);
                return;
            default:
                throw Unreadable(target.Syntax, $"the assignment to '{Describe(target.Syntax)}'");
        }
    }

    private object? InstanceOf(IOperation? instance, Frame frame) => instance is null ? frame.This : Evaluate(instance, frame);

    private static void SetItem(ListValue list, object? index, object? value, SyntaxNode node)
    {
        long i = Arithmetic.IsNumber(index) ? Arithmetic.ToLong(index) : -1;
        if (i < 0 || i >= list.Items.Count) throw Thrown(new ExceptionValue("IndexOutOfRangeException", $"Index {i} is outside a collection of {list.Items.Count}."), node);
        list.Items[(int)i] = value;
    }

    private bool Matches(object? value, IPatternOperation pattern, Frame frame)
    {
        Tick(pattern);
        switch (pattern)
        {
            case IConstantPatternOperation constant:
                return Equal(value, Evaluate(constant.Value, frame));
            case IRelationalPatternOperation relational:
                return Compute(relational.OperatorKind, value, Evaluate(relational.Value, frame), relational.Syntax) is true;
            case IBinaryPatternOperation binary:
                return binary.OperatorKind == BinaryOperatorKind.Or
                    ? Matches(value, binary.LeftPattern, frame) || Matches(value, binary.RightPattern, frame)
                    : Matches(value, binary.LeftPattern, frame) && Matches(value, binary.RightPattern, frame);
            case INegatedPatternOperation negated:
                return !Matches(value, negated.Pattern, frame);
            case IDiscardPatternOperation:
                return true;
            case ITypePatternOperation type:
                return IsOfType(value, type.MatchedType);
            case IDeclarationPatternOperation declaration:
                if (!(declaration.MatchesNull && value is null) && !IsOfType(value, declaration.MatchedType)) return false;
                if (declaration.DeclaredSymbol is { } local) frame.Locals[local] = value;
                return true;
            default:
                throw Unreadable(pattern.Syntax, $"the pattern '{Describe(pattern.Syntax)}'");
        }
    }

    private static bool Equal(object? a, object? b) =>
        Arithmetic.IsNumber(a) && Arithmetic.IsNumber(b) ? Arithmetic.Binary(BinaryOperatorKind.Equals, a, b) is true : Equals(a, b);

    private static bool IsOfType(object? value, ITypeSymbol? type)
    {
        if (value is null || type is null) return false;
        if (value is ModuleValue module)
        {
            for (ITypeSymbol? t = module.Type; t is not null; t = t.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(t, type)) return true;
            }

            return false;
        }

        return type.SpecialType switch
        {
            SpecialType.System_Object => true,
            SpecialType.System_Int32 => value is int,
            SpecialType.System_Int64 => value is long,
            SpecialType.System_Double => value is double,
            SpecialType.System_Single => value is float,
            SpecialType.System_Boolean => value is bool,
            SpecialType.System_String => value is string,
            _ => false,
        };
    }

    private static object? DefaultOf(ITypeSymbol? type) => type?.SpecialType switch
    {
        SpecialType.System_Int32 => 0,
        SpecialType.System_Int64 => 0L,
        SpecialType.System_Single => 0f,
        SpecialType.System_Double => 0d,
        SpecialType.System_Boolean => false,
        SpecialType.System_Char => '\0',
        _ => null,
    };

    private string Interpolate(IInterpolatedStringOperation interpolated, Frame frame)
    {
        var text = new StringBuilder();
        foreach (IInterpolatedStringContentOperation part in interpolated.Parts)
        {
            switch (part)
            {
                case IInterpolatedStringTextOperation literal:
                    text.Append(ValueText.AsString(Evaluate(literal.Text, frame)));
                    break;
                case IInterpolationOperation hole when hole.Alignment is null && hole.FormatString is null:
                    text.Append(ValueText.AsString(Evaluate(hole.Expression, frame)));
                    break;
                default:
                    throw Unreadable(part.Syntax, $"the interpolation '{Describe(part.Syntax)}'");
            }

            if (text.Length > MaxItems) throw Unreadable(interpolated.Syntax, $"a string longer than {MaxItems:N0} characters");
        }

        return text.ToString();
    }

    /// <summary>A throw reached while building: the block under construction reports it with the exception's message.</summary>
    private static EvaluationStopped Thrown(object? exception, SyntaxNode node) =>
        new(exception as ExceptionValue ?? new ExceptionValue("Exception", ValueText.AsString(exception)), Model.LocationInfo.From(node));
}
