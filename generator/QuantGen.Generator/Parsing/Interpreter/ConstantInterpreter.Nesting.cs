using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace QuantGen.Generator.Parsing.Interpreter;

// Nesting: counted, so that a diagnostic comes long before any stack runs out. A stack overflow cannot be caught
// and kills the compiler with the generator in it, on code the compiler alone accepts (2,000 nested
// 'new Sequential(…)'). Two things recurse once per level of the user's nesting: the compiler turning a member
// into operations (GetOperation builds the whole member's tree recursively, unguarded), and this interpreter
// evaluating them, across calls too. The first is bounded by the member's syntax depth, measured without recursion
// before it is bound; the second by a count of nested evaluations. Real models stay far below both (MobileNetV2
// nests 21 evaluations deep, the deepest sample member 26 syntax levels); at both limits together the read takes
// under a megabyte of the stack it runs on (OwnStack). The runtime's check of the stack left is the last guard.
internal sealed partial class ConstantInterpreter
{
    /// <summary>Syntax levels in one member (three per nested call or creation).</summary>
    internal const int MaxSyntaxDepth = 200;

    /// <summary>Expressions and statements evaluated inside one another, across calls.</summary>
    internal const int MaxNesting = 300;

    private readonly HashSet<SyntaxNode> shallowMembers = [];
    private int nesting;

    /// <summary>Stops at the first node of <paramref name="node"/>'s member deeper than <see cref="MaxSyntaxDepth"/>.</summary>
    private void RequireShallow(SyntaxNode node)
    {
        SyntaxNode member = MemberOf(node);
        if (shallowMembers.Contains(member)) return;
        if (DeeperThan(member, MaxSyntaxDepth) is { } deep)
        {
            throw Unreadable(deep, $"code nested more than {MaxSyntaxDepth} syntax levels deep in one member, at '{Describe(deep)}' (split it with locals or methods)");
        }

        shallowMembers.Add(member);
    }

    /// <summary>
    /// What the compiler binds as one when asked for an operation inside it: the member declaration (a field with
    /// its initializers, a method, a constructor), or the base list of a class with a primary constructor.
    /// </summary>
    private static SyntaxNode MemberOf(SyntaxNode node)
    {
        SyntaxNode member = node;
        for (SyntaxNode? n = node; n is not null and not BaseTypeDeclarationSyntax and not BaseNamespaceDeclarationSyntax and not CompilationUnitSyntax; n = n.Parent)
        {
            member = n;
        }

        return member;
    }

    /// <summary>The first node more than <paramref name="limit"/> levels below <paramref name="root"/>, found with a stack of its own.</summary>
    private SyntaxNode? DeeperThan(SyntaxNode root, int limit)
    {
        var pending = new Stack<(SyntaxNode Node, int Depth)>();
        pending.Push((root, 0));
        int visited = 0;
        while (pending.Count > 0)
        {
            (SyntaxNode node, int depth) = pending.Pop();
            if (depth > limit) return node;
            if ((++visited & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            foreach (SyntaxNode child in node.ChildNodes()) pending.Push((child, depth + 1));
        }

        return null;
    }

    /// <summary>One level deeper in evaluation: a stop past <see cref="MaxNesting"/>, or when the stack left is short.</summary>
    private void Nest(SyntaxNode node)
    {
        if (++nesting > MaxNesting)
        {
            throw Unreadable(node, $"code whose evaluation nests more than {MaxNesting} levels deep (expressions within expressions, calls within calls), at '{Describe(node)}'");
        }

        try
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
        }
        catch (InsufficientExecutionStackException)
        {
            throw Unreadable(node, $"code nested deeper than the stack the compiler gave the generator allows, at '{Describe(node)}'");
        }
    }

    private void Unnest() => nesting--;
}
