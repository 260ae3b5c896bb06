using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Parsing.Interpreter;

// Forward: tensors are dataflow values; module calls, Flatten, Functional and + become steps, blocks are inlined.
internal sealed partial class ConstantInterpreter
{
    private readonly List<ForwardStep> steps = [];
    private Dictionary<ModuleValue, string> paths = [];

    private TensorValue Record(ForwardOp op, string target, long integer, SyntaxNode node, string block, params TensorValue[] inputs)
    {
        if (steps.Count >= MaxItems) throw Unreadable(node, $"a Forward of more than {MaxItems:N0} steps");
        var indices = new int[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) indices[i] = inputs[i].Index;
        steps.Add(new ForwardStep(op, target, new EquatableArray<int>(indices), integer, LocationInfo.From(node), block));
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

        return Record(ForwardOp.Add, "+", 0, binary.Syntax, scope.Block, a, b);
    }

    /// <summary>A call that moves tensors in Forward: a module's Forward, Flatten, or a Functional the generator knows.</summary>
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

            var inputs = new List<TensorValue>();
            foreach (IArgumentOperation argument in invocation.Arguments) inputs.Add(AsTensor(Evaluate(argument.Value, frame), argument.Syntax));
            bool viaBase = invocation.Instance?.Syntax is BaseExpressionSyntax;
            result = CallModule(module, inputs, node, scope.Block, viaBase ? method.ContainingType : null);
            return true;
        }

        string? owner = method.ContainingType?.ToDisplayString();
        bool flatten = method.Name == "Flatten" && owner is "QuantGen.Nn.Module" or "QuantGen.Nn.Functional";
        if (!flatten && owner != "QuantGen.Nn.Functional") return false;

        var values = new Dictionary<string, object?>();
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            values[argument.Parameter?.Name ?? ""] = Evaluate(argument.Value, frame);
        }

        result = (method.Name, invocation.Arguments.Length) switch
        {
            ("Flatten", 2) when values.TryGetValue("startDim", out object? start) && start is int startDim =>
                Record(ForwardOp.Flatten, "Flatten", startDim, node, scope.Block, AsTensor(values["input"], node)),
            ("Relu" or "Relu6", 2) when values.TryGetValue("inplace", out object? inplace) && inplace is bool =>
                Record(ForwardOp.Functional, method.Name, 0, node, scope.Block, AsTensor(values["input"], node)),
            ("Add", 2) => Record(ForwardOp.Add, "+", 0, node, scope.Block, AsTensor(values["a"], node), AsTensor(values["b"], node)),
            ("AdaptiveAvgPool2d", 2) when values.TryGetValue("outputSize", out object? size) && size is int square =>
                Record(ForwardOp.Functional, "AdaptiveAvgPool2d", square, node, scope.Block, AsTensor(values["input"], node)),
            ("AdaptiveAvgPool2d", 3) when values.TryGetValue("outHeight", out object? h) && h is int height && Equals(values["outWidth"], height) =>
                Record(ForwardOp.Functional, "AdaptiveAvgPool2d", height, node, scope.Block, AsTensor(values["input"], node)),
            _ => null,
        };

        return result is not null;
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

        if (module.LeafKind == "Add")
        {
            if (inputs.Count != 2) throw Unreadable(call, $"the call '{Describe(call)}' in Forward (an Add module takes two inputs)");
            return Record(ForwardOp.Add, path, 0, call, callerBlock, inputs[0], inputs[1]);
        }

        if (inputs.Count != 1) throw Unreadable(call, $"the call '{Describe(call)}' in Forward (a module of one input)");
        if (module.IsLeaf) return Record(ForwardOp.Layer, path, 0, call, callerBlock, inputs[0]);

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
