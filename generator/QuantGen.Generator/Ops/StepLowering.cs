using System.Collections.Generic;
using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops;

/// <summary>Where a step's output lives.</summary>
internal enum StepStorage
{
    /// <summary>A buffer of its own in the arena.</summary>
    Own,

    /// <summary>Its input's bytes: the step runs nothing (a layer fused into another, Dropout, a Flatten that moves no byte).</summary>
    Alias,

    /// <summary>The caller's float output span (a DeQuantStub at the end of <c>Forward</c>).</summary>
    CallerOutput,
}

/// <summary>
/// One step of a generated pass as its descriptor lowered it: a record of its typed arguments that writes its own
/// code — the runtime type of its field, the expression that creates and checks it from the model, the call its step
/// method makes, and the comment that says what it does. Equatable, as every model in the pipeline. An int8 step is an
/// <see cref="Int8Lowering"/>, a float or dynamic one a <see cref="FloatLowering"/>.
/// </summary>
internal abstract record StepLowering
{
    /// <summary>The <c>QuantGen.Compiled</c> type of the step's field (<c>CompiledConv2d</c>); null for an alias.</summary>
    public abstract string? RuntimeType { get; }

    public virtual StepStorage Storage => StepStorage.Own;

    /// <summary>True for the step that reads the caller's float input (a QuantStub).</summary>
    public virtual bool ReadsCallerInput => false;

    /// <summary>True for a step that reads the caller's input or writes the caller's output: it runs where <c>Run</c>'s spans are.</summary>
    public bool UsesCaller => ReadsCallerInput || Storage == StepStorage.CallerOutput;

    /// <summary>Statements the constructor runs for this step before creating its field: checks of the model.</summary>
    public virtual IEnumerable<string> Checks(StepText step) => [];

    /// <summary>
    /// The expression that creates the field, after <c>global::QuantGen.Compiled.</c>; a <c>\n</c> starts a
    /// continuation line.
    /// </summary>
    public abstract string Create(StepText step);

    /// <summary>The call the step method makes (the method reads <c>n</c>, the samples in the pass).</summary>
    public abstract string Call(StepText step);

    /// <summary>What the step does, for its comment.</summary>
    public abstract string Describe(StepText step);

    /// <summary>Floats of scratch the step needs per sample of <paramref name="inputLength"/> values (float islands).</summary>
    public virtual long ScratchFloats(int inputLength) => 0;

    /// <summary>Why the step runs nothing, for an alias; null for a step that runs.</summary>
    public virtual string? AliasNote => null;

    protected const string Compiled = "global::QuantGen.Compiled.";
}

/// <summary>A step of the int8 pass: it reads and writes quint8 bytes (channels-last), but at the caller's float input and output.</summary>
internal abstract record Int8Lowering : StepLowering;

/// <summary>A step of the float or dynamic pass: it reads and writes float values in PyTorch's layout (NCHW).</summary>
internal abstract record FloatLowering : StepLowering;
