using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;

namespace QuantGen.Generator.Parsing.Interpreter;

// Forward: tensors are dataflow values; module calls, Flatten, Functional and + become steps, blocks are inlined.
// What each step is comes from the op registry: a leaf module's descriptor, or the one a functional method names.
internal sealed partial class ConstantInterpreter
{
    private readonly List<ForwardStep> steps = [];
    private Dictionary<ModuleValue, string> paths = [];

    private TensorValue Record(OpDescriptor op, string layer, string call, EquatableArray<LayerArg> args, SyntaxNode node, string block, params TensorValue[] inputs)
    {
        if (steps.Count >= MaxItems) throw Unreadable(node, $"a Forward of more than {MaxItems:N0} steps");
        var indices = new int[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) indices[i] = inputs[i].Index;
        steps.Add(new ForwardStep(op, layer, call, new EquatableArray<int>(indices), args, LocationInfo.From(node), block));
        return new TensorValue(steps.Count);
    }

    private static TensorValue AsTensor(object? value, SyntaxNode node) =>
        value as TensorValue ?? throw Unreadable(node, $"the expression '{Describe(node)}' in Forward, which is not a tensor of Forward's dataflow");

    private object? TensorBinary(IBinaryOperation binary, object? left, object? right, Frame frame)
    {
        if (frame.Forward is not { } scope || binary.OperatorKind != BinaryOperatorKind.Add || left is not TensorValue a || right is not TensorValue b)
        {
            throw Unreadable(binary.Syntax, $"the expression '{Describe(binary.Syntax)}' in Forward");
        }

        return Record(OpRegistry.Add, "", "+", EquatableArray<LayerArg>.Empty, binary.Syntax, scope.Block, a, b);
    }

    /// <summary>A call that moves tensors in Forward: a module's Forward, Flatten, or a Functional or Tensor method the generator knows.</summary>
    private bool TryTensorCall(IInvocationOperation invocation, Frame frame, out object? result)
    {
        result = null;
        if (frame.Forward is not { } scope) return false;
        IMethodSymbol method = invocation.TargetMethod;
        SyntaxNode node = invocation.Syntax;

        if (method.Name == "Forward" && !method.IsStatic && IsModule(method.ContainingType))
        {
            if (InstanceOf(invocation.Instance, frame) is not ModuleValue module)
            {
                throw Unreadable(node, $"the call '{Describe(node)}' in Forward, whose module the generator did not build");
            }

            var tensors = new List<TensorValue>();
            foreach (IArgumentOperation argument in invocation.Arguments) tensors.Add(AsTensor(Evaluate(argument.Value, frame), argument.Syntax));
            bool viaBase = invocation.Instance?.Syntax is BaseExpressionSyntax;
            result = CallModule(module, tensors, node, scope.Block, viaBase ? method.ContainingType : null);
            return true;
        }

        // A module whose ops are its methods (FloatFunctional): 'join.Cat([a, b], 1)' is a step of the method's op.
        if (!method.IsStatic && IsModule(method.ContainingType) && InstanceOf(invocation.Instance, frame) is ModuleValue { Op: { } leafOp } leaf
            && leafOp.Method(method.Name) is { } methodOp)
        {
            result = CallMethod(leaf, methodOp, invocation, frame, scope.Block);
            return true;
        }

        // x.Mean(1): a Tensor method that runs an op the registry knows by that name, its receiver the first input.
        if (!method.IsStatic && IsTensor(method.ContainingType) && invocation.Instance is { } receiver && OpRegistry.ForFunctional(method.Name) is { } tensorOp)
        {
            TensorValue self = AsTensor(Evaluate(receiver, frame), receiver.Syntax);
            result = RecordCall(tensorOp, "", "Tensor." + method.Name, invocation, frame, scope.Block, self);
            return true;
        }

        // Module.Flatten(x) inside a model, Functional.X(x) anywhere: an op the registry knows by its method name.
        string? owner = method.ContainingType?.ToDisplayString();
        bool onModule = owner == ModuleType;
        if ((!onModule && owner != FunctionalType) || OpRegistry.ForFunctional(method.Name) is not { } op) return false;

        string call = onModule ? method.Name : "Functional." + method.Name;
        result = RecordCall(op, "", call, invocation, frame, scope.Block);
        return result is not null;
    }

    /// <summary>
    /// A method call on a leaf module that runs an op (<c>se.Mul(x, gate)</c>): its tensors — alone, or in a list as
    /// Cat takes them — are the step's inputs, its other arguments constants.
    /// </summary>
    private TensorValue CallMethod(ModuleValue module, OpDescriptor op, IInvocationOperation invocation, Frame frame, string block)
    {
        SyntaxNode node = invocation.Syntax;
        if (!paths.TryGetValue(module, out string? path))
        {
            throw Unreadable(node, $"the call '{Describe(node)}' in Forward: its module is not a child of the model, so the runtime does not name it");
        }

        return RecordCall(op, path, invocation.TargetMethod.Name, invocation, frame, block);
    }

    /// <summary>
    /// A call that runs <paramref name="op"/>: its tensor arguments are the step's inputs (a list of tensors, as a
    /// module method such as Cat takes them, counts each), after the tensor a Tensor method is called on; its other
    /// arguments constants.
    /// </summary>
    private TensorValue RecordCall(OpDescriptor op, string layer, string call, IInvocationOperation invocation, Frame frame, string block, TensorValue? receiver = null)
    {
        SyntaxNode node = invocation.Syntax;
        var inputs = new List<TensorValue>();
        if (receiver is not null) inputs.Add(receiver);
        var args = new List<LayerArg>();
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            object? value = Evaluate(argument.Value, frame);
            if (value is TensorValue tensor)
            {
                inputs.Add(tensor);
                continue;
            }

            if (value is ListValue list && layer.Length > 0)
            {
                foreach (object? item in list.Items) inputs.Add(AsTensor(item, argument.Syntax));
                continue;
            }

            if (argument.Parameter is not { } parameter || ValueText.AsSource(value) is not { } text || value is string)
            {
                throw Unreadable(argument.Syntax, $"the argument '{argument.Parameter?.Name}' of '{Describe(node)}', which is not a constant");
            }

            args.Add(new LayerArg(parameter.Name, text.Text, text.Integer, argument.ArgumentKind == ArgumentKind.DefaultValue ? null : LocationInfo.From(argument.Syntax)));
        }

        if (!op.TakesInputs(inputs.Count)) throw Unreadable(node, $"the call '{Describe(node)}' in Forward (it takes {op.Arity} tensor{(op.Arity == 1 ? "" : "s")})");
        return Record(op, layer, call, args.ToEquatableArray(), node, block, [.. inputs]);
    }

    /// <summary>
    /// Runs one module on tensors: a leaf becomes a step named by its path; a block runs its own Forward (or,
    /// for a Sequential without one, its children in order) with its steps marked as the block's.
    /// </summary>
    private TensorValue CallModule(ModuleValue module, List<TensorValue> inputs, SyntaxNode call, string callerBlock, ITypeSymbol? nonVirtualFrom)
    {
        if (!paths.TryGetValue(module, out string? path))
        {
            throw Unreadable(call, $"the call '{Describe(call)}' in Forward: its module is not a child of the model, so the runtime does not name it");
        }

        int arity = module.Op?.Arity ?? 1;
        if (inputs.Count != arity)
        {
            throw Unreadable(call, $"the call '{Describe(call)}' in Forward (a module of {(arity == 1 ? "one input" : $"{arity} inputs")})");
        }

        if (module.Op is { } op) return Record(op, path, "", EquatableArray<LayerArg>.Empty, call, callerBlock, [.. inputs]);

        EnterCall(call);
        TensorValue output;
        if (ForwardOf(nonVirtualFrom ?? module.Type) is { } forward)
        {
            var arguments = new Dictionary<ISymbol, object?>(SymbolEqualityComparer.Default) { [forward.Parameters[0]] = inputs[0] };
            output = AsTensor(Call(forward, module, arguments, call, new ForwardScope(path)), call);
        }
        else if (IsSequential(module.Type))
        {
            output = inputs[0];
            foreach (ModuleValue child in module.Registered) output = CallModule(child, [output], call, path, null);
        }
        else
        {
            throw Unreadable(module.Creation, $"'{module.Type.Name}' without a Forward(Tensor) method");
        }

        LeaveCall();
        return output;
    }

    /// <summary>The most derived <c>Forward(Tensor)</c> written in source, from <paramref name="type"/> up.</summary>
    private static IMethodSymbol? ForwardOf(ITypeSymbol type)
    {
        for (ITypeSymbol? t = type; t is not null && IsFromSource(t); t = t.BaseType)
        {
            foreach (ISymbol member in t.GetMembers("Forward"))
            {
                if (member is IMethodSymbol { IsStatic: false, IsAbstract: false, Parameters.Length: 1 } method && IsTensor(method.Parameters[0].Type)) return method;
            }
        }

        return null;
    }
}
