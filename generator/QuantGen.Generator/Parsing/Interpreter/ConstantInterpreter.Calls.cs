using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace QuantGen.Generator.Parsing.Interpreter;

// Calls: System.Math, List<T>.Add, and methods and property getters of the user's classes (run in a frame of their own).
internal sealed partial class ConstantInterpreter
{
    private object? Invoke(IInvocationOperation invocation, Frame frame)
    {
        IMethodSymbol method = invocation.TargetMethod;
        if (TryTensorCall(invocation, frame, out object? tensor)) return tensor;
        if (IsNamed(method.ContainingType, "System.Math")) return MathCall(invocation, frame);

        if (method.Name == nameof(List<object>.Add) && invocation.Arguments.Length == 1 && IsNamed(method.ContainingType.OriginalDefinition, "System.Collections.Generic.List<T>")
            && Evaluate(invocation.Instance, frame) is ListValue list)
        {
            if (list.Items.Count >= MaxItems) throw Unreadable(invocation.Syntax, $"a list of more than {MaxItems:N0} items");
            list.Items.Add(Evaluate(invocation.Arguments[0].Value, frame));
            return null;
        }

        // The user's own helpers compute constants; in Forward one that takes or returns a tensor hides dataflow.
        bool touchesTensors = IsTensor(method.ReturnType) || HasTensorParameter(method);
        if (IsFromSource(method) && !(frame.Forward is not null && touchesTensors))
        {
            object? self = method.IsStatic ? null : InstanceOf(invocation.Instance, frame);
            if (!method.IsStatic && self is not ModuleValue) throw NotConstant(invocation.Syntax, "");
            return Call(method, self as ModuleValue, invocation.Arguments, invocation.Syntax, frame);
        }

        throw frame.Forward is not null
            ? Unreadable(invocation.Syntax, $"the call '{Describe(invocation.Syntax)}' in Forward")
            : NotConstant(invocation.Syntax, "");
    }

    private static bool IsTensor(ITypeSymbol? type) => IsNamed(type, "QuantGen.Tensor");

    private static bool HasTensorParameter(IMethodSymbol method)
    {
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (IsTensor(parameter.Type)) return true;
        }

        return false;
    }

    /// <summary>The arguments' values by parameter (defaults included: the compiler lists them as arguments too).</summary>
    private Dictionary<ISymbol, object?> Bind(ImmutableArray<IArgumentOperation> arguments, Frame caller)
    {
        var bound = new Dictionary<ISymbol, object?>(SymbolEqualityComparer.Default);
        foreach (IArgumentOperation argument in arguments)
        {
            if (argument.Parameter is null) throw Unreadable(argument.Syntax, $"the argument '{Describe(argument.Syntax)}'");
            bound[argument.Parameter.OriginalDefinition] = Evaluate(argument.Value, caller);
        }

        return bound;
    }

    /// <summary>Runs a method or property getter of the user's in a frame of its own and returns what it returned.</summary>
    private object? Call(IMethodSymbol method, ModuleValue? self, ImmutableArray<IArgumentOperation> arguments, SyntaxNode call, Frame caller) =>
        Call(method, self, Bind(arguments, caller), call, forward: null);

    private object? Call(IMethodSymbol method, ModuleValue? self, Dictionary<ISymbol, object?> arguments, SyntaxNode call, ForwardScope? forward)
    {
        IOperation body = BodyOf(method, call);
        var frame = new Frame(self, forward);
        foreach (KeyValuePair<ISymbol, object?> argument in arguments) frame.Locals[argument.Key] = argument.Value;

        EnterCall(call);
        Flow flow = Execute(body, frame);
        LeaveCall();
        if (flow != Flow.Return && !method.ReturnsVoid)
        {
            throw Unreadable(body.Syntax, forward is not null ? "a Forward that does not end in 'return'" : $"'{method.Name}', which does not end in 'return'");
        }

        return frame.Returned;
    }

    private IOperation BodyOf(IMethodSymbol method, SyntaxNode call)
    {
        if (method.DeclaringSyntaxReferences.Length != 1) throw NotConstant(call, "");
        SyntaxNode declaration = method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
        IOperation? body = OperationOf(declaration) switch
        {
            IMethodBodyOperation methodBody => (IOperation?)methodBody.BlockBody ?? methodBody.ExpressionBody,
            IBlockOperation arrow => arrow,
            _ => null,
        };

        if (body is null)
        {
            SyntaxNode at = declaration is MethodDeclarationSyntax named ? named.ReturnType.Parent ?? declaration : declaration;
            throw Unreadable(at, $"'{method.Name}' without a body");
        }

        return body;
    }

    private object? MathCall(IInvocationOperation invocation, Frame frame)
    {
        var values = new object?[invocation.Arguments.Length];
        for (int i = 0; i < values.Length; i++) values[i] = Evaluate(invocation.Arguments[i].Value, frame);
        foreach (object? value in values)
        {
            if (!Arithmetic.IsNumber(value)) throw NotConstant(invocation.Syntax, "");
        }

        IMethodSymbol method = invocation.TargetMethod;
        bool integral = method.ReturnType.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64;
        object? result = (method.Name, values.Length) switch
        {
            ("Max", 2) => integral ? Math.Max(Arithmetic.ToLong(values[0]), Arithmetic.ToLong(values[1])) : Math.Max(Arithmetic.ToDouble(values[0]), Arithmetic.ToDouble(values[1])),
            ("Min", 2) => integral ? Math.Min(Arithmetic.ToLong(values[0]), Arithmetic.ToLong(values[1])) : Math.Min(Arithmetic.ToDouble(values[0]), Arithmetic.ToDouble(values[1])),
            ("Abs", 1) => integral ? Math.Abs(Arithmetic.ToLong(values[0])) : Math.Abs(Arithmetic.ToDouble(values[0])),
            ("Floor", 1) => Math.Floor(Arithmetic.ToDouble(values[0])),
            ("Ceiling", 1) => Math.Ceiling(Arithmetic.ToDouble(values[0])),
            ("Sqrt", 1) => Math.Sqrt(Arithmetic.ToDouble(values[0])),
            ("Round", 1) => Math.Round(Arithmetic.ToDouble(values[0]), MidpointRounding.ToEven),
            ("Round", 2) when method.Parameters[1].Type.TypeKind == TypeKind.Enum => Round(Arithmetic.ToDouble(values[0]), Arithmetic.ToLong(values[1])),
            _ => null,
        };

        if (result is null || method.ReturnType.SpecialType == SpecialType.System_Decimal) throw NotConstant(invocation.Syntax, "");
        return Convert(result, method.ReturnType, invocation.Syntax);
    }

    /// <summary>Math.Round with a MidpointRounding, by the enum's value (netstandard2.0 names only the first two).</summary>
    private static object? Round(double value, long mode) => mode switch
    {
        0 => Math.Round(value, MidpointRounding.ToEven),
        1 => Math.Round(value, MidpointRounding.AwayFromZero),
        2 => Math.Truncate(value),
        3 => Math.Floor(value),
        4 => Math.Ceiling(value),
        _ => null,
    };
}
