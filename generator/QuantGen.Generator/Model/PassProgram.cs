using QuantGen.Generator.Ops;

namespace QuantGen.Generator.Model;

/// <summary>What a value of a generated pass holds at run time (a record, so that arrays of it compare by value).</summary>
internal sealed record ValueDtype(string Name)
{
    /// <summary>float32, in PyTorch's layout (NCHW).</summary>
    public static readonly ValueDtype Float = new("float");

    /// <summary>quint8 bytes under the value's qparams, channels-last (NHWC).</summary>
    public static readonly ValueDtype Quint8 = new("quint8");

    public override string ToString() => Name;
}

/// <summary>The passes a class can get: eager int8's, float, and dynamic quantization's (float with dynamic int8 Linear layers).</summary>
internal enum PassKind
{
    Int8,
    Float,
    Dynamic,
}

/// <summary>
/// One step of a pass, for step <see cref="Step"/> of <c>Forward</c> (it writes value <c>Step + 1</c>): the values it
/// reads and what its descriptor lowered it to.
/// </summary>
internal sealed record ProgramStep(int Step, EquatableArray<int> Inputs, StepLowering Lowering);

/// <summary>
/// Where one buffer lives in the arena: the value that owns it, its offset (64-byte aligned) and length in the arena's
/// elements (bytes for the int8 pass, floats for the float passes), and the steps between which it is alive (written by step <see cref="First"/>, last read by <see cref="Last"/>).
/// </summary>
internal sealed record ArenaSlot(int Value, int Offset, int Length, int First, int Last);

/// <summary>
/// A generated forward pass: a step per <c>Forward</c> step; each value's <see cref="Dtypes">dtype</see>; the buffer
/// each value is stored in (<see cref="Storage"/>: the owning value for arena values, -1 for the caller's float input
/// and output); the arena slots; the arena's length in its elements and the floats of scratch the float islands need (both
/// for one sample); the most samples one pass runs; and, in an int8 pass with <c>[KeepFloat]</c> layers, which values
/// hold a kept layer's float output after their bytes (<see cref="KeptFloats"/>). Every conversion between dtypes is a step of its own, planned
/// at compile time.
/// </summary>
internal sealed record PassProgram(
    PassKind Kind,
    EquatableArray<ProgramStep> Steps,
    EquatableArray<ValueDtype> Dtypes,
    EquatableArray<int> Storage,
    EquatableArray<ArenaSlot> Slots,
    int ArenaLength,
    int ScratchLength,
    int MaxBatch,
    EquatableArray<bool> KeptFloats = default,
    PassHead? Head = null);

/// <summary>
/// The steps of a pass that run one sample at a time (<see cref="Steps"/> of them, from the first), on their own arena
/// region of <see cref="Length"/> bytes for one sample (<see cref="Slots"/>), after which the one buffer alive across
/// the boundary (<see cref="Crossing"/>'s) is copied into its sample's place in the rest's batch. The program's own
/// <see cref="PassProgram.Slots"/>, <see cref="PassProgram.ArenaLength"/> and <see cref="PassProgram.MaxBatch"/> are then
/// those of the rest.
/// </summary>
internal sealed record PassHead(int Steps, EquatableArray<ArenaSlot> Slots, int Length, int Crossing);

/// <summary>
/// The planning steps' result: the shape plan (null when shapes failed); the int8 program when the model has one,
/// else <see cref="Missing"/> saying why; the float and dynamic programs when the model has them; and every
/// diagnostic so far.
/// </summary>
internal sealed record ProgramResult(
    ModelPlan? Plan,
    PassProgram? Program,
    string Missing,
    EquatableArray<DiagnosticInfo> Diagnostics,
    PassProgram? Float = null,
    PassProgram? Dynamic = null);
