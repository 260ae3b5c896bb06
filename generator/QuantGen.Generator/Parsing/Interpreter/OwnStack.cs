using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace QuantGen.Generator.Parsing.Interpreter;

/// <summary>
/// Runs the interpreter on a thread of its own, with a stack of known size. The compiler may run generators and
/// analyzers on any stack, some small, and two things the interpreter does recurse once per level of the user's
/// nesting: its own evaluation and the compiler's turning of a member into operations (unguarded in Roslyn). The
/// interpreter's budgets (<see cref="ConstantInterpreter.MaxSyntaxDepth"/>, <see cref="ConstantInterpreter.MaxNesting"/>)
/// are set to use a fraction of <see cref="Size"/> at most, so that they, not the stack, end any evaluation.
/// </summary>
internal static class OwnStack
{
    /// <summary>The stack: the budgets at their limits use under a megabyte of it.</summary>
    public const int Size = 4 * 1024 * 1024;

    /// <summary>
    /// <paramref name="work"/>'s result, computed on a new thread with a stack of <paramref name="size"/> bytes while the
    /// caller waits; what it throws is thrown here. A host that cannot start threads runs it inline, where the
    /// runtime's stack check is the last guard.
    /// </summary>
    public static T Run<T>(Func<T> work, int size = Size)
    {
        T result = default!;
        ExceptionDispatchInfo? thrown = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception exception)
            {
                thrown = ExceptionDispatchInfo.Capture(exception);
            }
        }, size);

        try
        {
            thread.Start();
        }
        catch (Exception exception) when (exception is NotSupportedException or ThreadStartException or OutOfMemoryException)
        {
            return work();
        }

        thread.Join();
        thrown?.Throw();
        return result;
    }
}
