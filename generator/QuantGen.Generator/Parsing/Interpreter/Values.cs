using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;

namespace QuantGen.Generator.Parsing.Interpreter;

// The interpreter's values besides the CLR constants it computes with (int, long, float, double, bool, char,
// string, null). Modules and lists are reference objects, as at run time: one module in two fields is one child.

/// <summary>
/// A module built at compile time: a known leaf (<see cref="Op"/> set, with its bound arguments), a
/// <c>Sequential</c>, or an instance of a user's block class with its evaluated fields.
/// </summary>
internal sealed class ModuleValue(INamedTypeSymbol type, OpDescriptor? op, SyntaxNode creation, string arguments)
{
    public INamedTypeSymbol Type { get; } = type;

    /// <summary>A leaf's descriptor in the op registry; null for a Sequential or a block class.</summary>
    public OpDescriptor? Op { get; } = op;

    /// <summary>Where it was constructed (<c>new InvertedResidual(...)</c>), in whatever file that is.</summary>
    public SyntaxNode Creation { get; } = creation;

    /// <summary>The constructor arguments as written and evaluated: <c>32, 16, stride: 1, expandRatio: 1</c>.</summary>
    public string Arguments { get; } = arguments;

    /// <summary>A leaf's arguments, in parameter order, defaults included.</summary>
    public List<LayerArg> LeafArgs { get; } = [];

    /// <summary>Children registered by a Sequential base constructor, named 0, 1, 2…</summary>
    public List<ModuleValue> Registered { get; } = [];

    /// <summary>Instance fields and auto-properties by name.</summary>
    public Dictionary<string, object?> Fields { get; } = new(System.StringComparer.Ordinal);

    /// <summary>The members of module or module-array type in declaration order, base class first: the runtime's child fields.</summary>
    public List<string> ChildMembers { get; } = [];

    /// <summary>Primary-constructor parameters, which methods of the class may read after construction.</summary>
    public Dictionary<IParameterSymbol, object?> Captured { get; } = new(SymbolEqualityComparer.Default);

    public bool IsLeaf => Op is not null;
}

/// <summary>An array, a <c>List&lt;T&gt;</c> or a collection expression: its items, in order.</summary>
internal sealed class ListValue(List<object?> items)
{
    public List<object?> Items { get; } = items;
}

/// <summary>A tuple of values, <c>(6, 24, 2, 2)</c>.</summary>
internal sealed class TupleValue
{
    public TupleValue(object?[] items)
    {
        Items = items;
        foreach (object? item in items)
        {
            if (item is TupleValue inner)
            {
                Depth = System.Math.Max(Depth, inner.Depth + 1);
                Values = System.Math.Min(int.MaxValue - items.Length, Values + inner.Values);
            }
        }

        Values += items.Length;
    }

    public object?[] Items { get; }

    /// <summary>Tuples inside tuples (0 for a flat one): a loop can nest them without nesting any code (<c>t = (t, 1)</c>).</summary>
    public int Depth { get; }

    /// <summary>Items counted through nested tuples, which printing one walks.</summary>
    public int Values { get; }
}

/// <summary>A tensor inside <c>Forward</c>: value <see cref="Index"/> of the dataflow (0 is the input).</summary>
internal sealed class TensorValue(int index)
{
    public int Index { get; } = index;
}

/// <summary>An exception object, kept for its message until it is thrown.</summary>
internal sealed class ExceptionValue(string typeName, string message)
{
    public string TypeName { get; } = typeName;

    public string Message { get; } = message;
}
