using System;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Parsing.Interpreter;

/// <summary>
/// Ends an evaluation at the first thing the interpreter cannot or must not evaluate, carrying the diagnostic
/// that explains it, or the exception a constructor threw (the block under construction turns that into its
/// own diagnostic). Thrown and caught only inside <see cref="ConstantInterpreter"/>, so that the many nested
/// evaluation paths stay short; nothing else is ever caught.
/// </summary>
internal sealed class EvaluationStopped : Exception
{
    public EvaluationStopped(DiagnosticInfo diagnostic, bool notConstant)
        : base(diagnostic.Id)
    {
        Diagnostic = diagnostic;
        NotConstant = notConstant;
    }

    public EvaluationStopped(ExceptionValue thrown, LocationInfo? throwSite)
        : base(thrown.Message)
    {
        Thrown = thrown;
        ThrowSite = throwSite;
    }

    /// <summary>Why evaluation stopped; null while a thrown exception is still on its way to a block.</summary>
    public DiagnosticInfo? Diagnostic { get; }

    /// <summary>True when a value was simply not a compile-time constant, so a caller may restate it in its own terms.</summary>
    public bool NotConstant { get; }

    /// <summary>The exception a <c>throw</c> raised, with where it was thrown.</summary>
    public ExceptionValue? Thrown { get; }

    public LocationInfo? ThrowSite { get; }
}
