using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace QuantGen.Generator.Parsing.Interpreter;

// Statements: blocks, locals, if/else, for, foreach (with deconstruction), while, break, continue, return.
internal sealed partial class ConstantInterpreter
{
    private Flow Execute(IOperation? statement, Frame frame)
    {
        if (statement is null) return Flow.Normal;
        Tick(statement);
        Nest(statement.Syntax);
        try
        {
            return Run(statement, frame);
        }
        finally
        {
            Unnest();
        }
    }

    private Flow Run(IOperation statement, Frame frame)
    {
        switch (statement)
        {
            case IBlockOperation block:
                foreach (IOperation inner in block.Operations)
                {
                    Flow flow = Execute(inner, frame);
                    if (flow != Flow.Normal) return flow;
                }

                return Flow.Normal;

            case IExpressionStatementOperation expression:
                Evaluate(expression.Operation, frame);
                return Flow.Normal;

            case IVariableDeclarationGroupOperation group:
                foreach (IVariableDeclarationOperation declaration in group.Declarations)
                {
                    foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                    {
                        IVariableInitializerOperation? initializer = declarator.Initializer ?? declaration.Initializer;
                        // A local declared without a value is only read after an assignment (the compiler sees to that).
                        if (initializer is not null) frame.Locals[declarator.Symbol] = Evaluate(initializer.Value, frame);
                    }
                }

                return Flow.Normal;

            case IReturnOperation returned:
                frame.Returned = Evaluate(returned.ReturnedValue, frame);
                return Flow.Return;

            case IConditionalOperation conditional:
                return Condition(conditional.Condition, frame, conditional.Syntax) ? Execute(conditional.WhenTrue, frame) : Execute(conditional.WhenFalse, frame);

            case IForLoopOperation loop:
                foreach (IOperation before in loop.Before) Execute(before, frame);
                while (loop.Condition is null || Condition(loop.Condition, frame, loop.Syntax))
                {
                    Flow flow = Execute(loop.Body, frame);
                    if (flow == Flow.Return) return flow;
                    if (flow == Flow.Break) break;
                    foreach (IOperation bottom in loop.AtLoopBottom) Execute(bottom, frame);
                }

                return Flow.Normal;

            case IForEachLoopOperation loop:
                foreach (object? item in Enumerate(Evaluate(loop.Collection, frame), loop.Collection.Syntax))
                {
                    Tick(loop);
                    AssignLoopVariable(loop.LoopControlVariable, item, frame);
                    Flow flow = Execute(loop.Body, frame);
                    if (flow == Flow.Return) return flow;
                    if (flow == Flow.Break) break;
                }

                return Flow.Normal;

            case IWhileLoopOperation loop:
                // while, do-while and until loops: a do loop runs its body once before the first test.
                for (bool first = true; ; first = false)
                {
                    bool test = loop.ConditionIsTop || !first;
                    if (test && (loop.Condition is null || Condition(loop.Condition, frame, loop.Syntax) == loop.ConditionIsUntil)) break;
                    Flow flow = Execute(loop.Body, frame);
                    if (flow == Flow.Return) return flow;
                    if (flow == Flow.Break) break;
                }

                return Flow.Normal;

            case IBranchOperation { BranchKind: BranchKind.Break }:
                return Flow.Break;

            case IBranchOperation { BranchKind: BranchKind.Continue }:
                return Flow.Continue;

            case IEmptyOperation:
            case ILocalFunctionOperation:
                return Flow.Normal;

            case IThrowOperation thrown:
                Evaluate(thrown, frame);
                return Flow.Normal;

            default:
                throw Unreadable(statement.Syntax, frame.Forward is not null
                    ? $"the statement '{Describe(statement.Syntax)}' in Forward"
                    : $"the statement '{Describe(statement.Syntax)}'");
        }
    }

    private static IEnumerable<object?> Enumerate(object? collection, SyntaxNode node)
    {
        switch (collection)
        {
            // A copy: the body may add to the list it walks (the runtime would throw; here the walk stays bounded).
            case ListValue list:
                return list.Items.ToArray();
            case ModuleValue sequential when IsSequential(sequential.Type):
                return sequential.Registered.ToArray();
            default:
                throw NotConstant(node, "");
        }
    }

    private void AssignLoopVariable(IOperation variable, object? item, Frame frame)
    {
        if (variable is IVariableDeclaratorOperation declarator) frame.Locals[declarator.Symbol] = item;
        else Assign(variable, item, frame);
    }
}
