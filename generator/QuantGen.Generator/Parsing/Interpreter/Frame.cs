using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace QuantGen.Generator.Parsing.Interpreter;

/// <summary>One method's or constructor's activation: its locals and parameters, <c>this</c>, and what it returned.</summary>
internal sealed class Frame(ModuleValue? self, ForwardScope? forward = null)
{
    public Dictionary<ISymbol, object?> Locals { get; } = new(SymbolEqualityComparer.Default);

    public ModuleValue? This { get; } = self;

    /// <summary>Set while <c>Forward</c> runs: tensors may flow and module calls become steps.</summary>
    public ForwardScope? Forward { get; } = forward;

    /// <summary>The object a collection initializer adds to (<c>new List&lt;Module&gt; { … }</c>).</summary>
    public object? ImplicitReceiver { get; set; }

    public object? Returned { get; set; }
}

/// <summary>A <c>Forward</c> being read: the path of the block instance it belongs to ("" for the model itself).</summary>
internal sealed class ForwardScope(string block)
{
    public string Block { get; } = block;
}

/// <summary>How a statement ended.</summary>
internal enum Flow
{
    Normal,
    Break,
    Continue,
    Return,
}
