using QuantGen.Generator.Ops;

namespace QuantGen.Generator.Model;

/// <summary>
/// One step of the int8 program, for step <see cref="Step"/> of <c>Forward</c> (it writes value <c>Step + 1</c>):
/// the values it reads and what its descriptor lowered it to.
/// </summary>
internal sealed record Int8Step(int Step, EquatableArray<int> Inputs, Int8Lowering Lowering);

/// <summary>
/// Where one buffer lives in the arena: the value that owns it, its byte offset (a multiple of 64) and length,
/// and the steps between which it is alive (written by step <see cref="First"/>, last read by <see cref="Last"/>).
/// </summary>
internal sealed record ArenaSlot(int Value, int Offset, int Length, int First, int Last);

/// <summary>
/// The int8 forward pass: a step per <c>Forward</c> step, the buffer each value is stored in (<see cref="Storage"/>:
/// the owning value for quint8 values, -1 for the float input and output), the arena slots, the arena's length and
/// the floats of scratch the float islands need (both for one sample), and the most samples one pass runs.
/// Quint8 values are stored channels-last (NHWC).
/// </summary>
internal sealed record Int8Program(
    EquatableArray<Int8Step> Steps,
    EquatableArray<int> Storage,
    EquatableArray<ArenaSlot> Slots,
    int ArenaLength,
    int ScratchLength,
    int MaxBatch);

/// <summary>
/// The int8 planning step's result: the shape plan (null when shapes failed), the program when the model has
/// one, else <see cref="Missing"/> saying why, and every diagnostic so far.
/// </summary>
internal sealed record Int8Result(ModelPlan? Plan, Int8Program? Program, string Missing, EquatableArray<DiagnosticInfo> Diagnostics);
