using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Parsing.Interpreter;

/// <summary>
/// A small, bounded interpreter over <see cref="IOperation"/>: it runs a model's constructors with constant
/// arguments to build its module tree (blocks, Sequentials, arrays of modules), then runs <c>Forward</c> with
/// tensors as dataflow values, inlining blocks and unrolling loops into <see cref="ForwardStep"/>s.
/// </summary>
/// <remarks>
/// Everything is bounded: a budget of evaluated operations, a depth of calls and of nested blocks, sizes of
/// arrays and strings, and the nesting of what it binds and runs (<see cref="MaxSyntaxDepth"/>, <see cref="MaxNesting"/>). Anything it cannot
/// evaluate stops it with one diagnostic at the construct, in whatever file that is. The files beside this one hold
/// the expressions, statements, object creation and Forward.
/// </remarks>
internal sealed partial class ConstantInterpreter(Compilation compilation, CancellationToken cancellationToken)
{
    /// <summary>Operations one model may evaluate: MobileNetV2 takes a few thousand.</summary>
    private const int OperationBudget = 200_000;

    /// <summary>Nested method calls and module calls.</summary>
    private const int MaxCallDepth = 64;

    /// <summary>Blocks inside blocks; beyond this a block is taken to build itself without end.</summary>
    private const int MaxBlockNesting = 16;

    /// <summary>Items in one array or list, characters in one string, steps in one Forward.</summary>
    private const int MaxItems = 10_000;

    /// <summary>Tuples inside tuples: printing one recurses.</summary>
    private const int MaxTupleDepth = 32;

    private readonly Dictionary<SyntaxTree, SemanticModel> semanticModels = [];
    private readonly Dictionary<IFieldSymbol, object?> staticFields = new(SymbolEqualityComparer.Default);
    private readonly HashSet<IFieldSymbol> staticFieldsInProgress = new(SymbolEqualityComparer.Default);
    private readonly List<string> blocksUnderConstruction = [];
    private int operations;
    private int callDepth;

    /// <summary>What is being built, for messages: a member of the model (<c>fc2</c>), or a block's member or constructor.</summary>
    private string subject = "";

    /// <summary>The class whose constructor body is running, for messages about the layers it builds.</summary>
    private string constructing = "";

    private SemanticModel? SemanticModelOf(SyntaxNode node)
    {
        SyntaxTree tree = node.SyntaxTree;
        if (semanticModels.TryGetValue(tree, out SemanticModel? model)) return model;
        if (!compilation.ContainsSyntaxTree(tree)) return null;
#pragma warning disable RS1030 // A generator reading a block class declared in another file of the same compilation needs that file's model.
        model = compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
        semanticModels[tree] = model;
        return model;
    }

    /// <summary>
    /// The operation of <paramref name="node"/>, or a stop at it when there is none (code that does not bind) or
    /// when its member nests deeper than the compiler can turn into operations on any stack.
    /// </summary>
    private IOperation OperationOf(SyntaxNode node)
    {
        RequireShallow(node);
        IOperation? operation;
        try
        {
            operation = SemanticModelOf(node)?.GetOperation(node, cancellationToken);
        }
        catch (InsufficientExecutionStackException)
        {
            // The compiler's own stack guard, in binding: the same stop as the interpreter's.
            throw Unreadable(node, $"code nested deeper than the compiler can bind on the stack it has, at '{Describe(node)}'");
        }

        return operation ?? throw Unreadable(node, $"'{Describe(node)}'");
    }

    private void Tick(IOperation operation)
    {
        if (++operations > OperationBudget)
        {
            throw Unreadable(operation.Syntax, $"code that runs more than {OperationBudget:N0} operations at compile time (a loop without end?), at '{Describe(operation.Syntax)}'");
        }

        if ((operations & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
    }

    private void EnterCall(SyntaxNode node)
    {
        if (++callDepth > MaxCallDepth)
        {
            throw Unreadable(node, $"calls nested more than {MaxCallDepth} deep (a method that calls itself?), at '{Describe(node)}'");
        }
    }

    private void LeaveCall() => callDepth--;

    private static EvaluationStopped Unreadable(SyntaxNode node, string what, bool notConstant = false) =>
        new(DiagnosticInfo.Create(DiagnosticDescriptors.UnreadableConstruct, LocationInfo.From(node), what), notConstant);

    private static EvaluationStopped NotConstant(SyntaxNode node, string inForward) =>
        Unreadable(node, inForward.Length > 0 ? inForward : $"'{Describe(node)}', which is not a constant", notConstant: true);

    private EvaluationStopped BlockFailure(SyntaxNode creation, string block, string why) =>
        new(DiagnosticInfo.Create(DiagnosticDescriptors.BlockCannotBeBuilt, LocationInfo.From(creation), block, why), notConstant: false);

    internal static string Describe(SyntaxNode node)
    {
        string text = node.ToString().Replace("\r", " ").Replace("\n", " ").Trim();
        while (text.Contains("  ")) text = text.Replace("  ", " ");
        return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }

    // The runtime's containers and helpers, which are not ops: the op registry knows those.
    public const string ModuleType = "QuantGen.Nn.Module";
    public const string SequentialType = "QuantGen.Nn.Sequential";
    public const string FunctionalType = "QuantGen.Nn.Functional";

    /// <summary>True for <c>QuantGen.Nn.Module</c> and every class deriving from it.</summary>
    public static bool IsModule(ITypeSymbol? symbol)
    {
        for (ITypeSymbol? t = symbol; t is not null; t = t.BaseType)
        {
            if (IsNamed(t, ModuleType)) return true;
        }

        return false;
    }

    public static bool IsNamed(ITypeSymbol? type, string fullName) => type?.ToDisplayString() == fullName;
}
