namespace QuantGen.Generator.Model;

/// <summary>What one step of the int8 program runs; the runtime entry point is <c>QuantGen.Compiled.Compiled{Op}</c>.</summary>
internal enum Int8Op
{
    /// <summary>float → quint8 (a QuantStub); reads the model input.</summary>
    Quantize,

    /// <summary>quint8 → float (a DeQuantStub); writes the model output.</summary>
    Dequantize,

    /// <summary>Args: inC, inH, inW, outC, kernel, stride, padding, dilation, groups.</summary>
    Conv2d,

    /// <summary>Args: inFeatures, outFeatures.</summary>
    Linear,

    /// <summary>Args: planes, inH, inW, kernel, stride, padding, dilation, ceilMode (0/1).</summary>
    MaxPool2d,

    /// <summary>Args: planes, inH, inW, kernel, stride, padding, 1, ceilMode (0/1), countIncludePad (0/1).</summary>
    AvgPool2d,

    /// <summary>Args: planes, inH, inW, outH, outW.</summary>
    AdaptiveAvgPool2d,

    /// <summary>An unfused ReLU or ReLU6 (<see cref="Int8Step.Activation"/>) clamping quint8 values.</summary>
    Clamp,

    /// <summary>An Add module: two inputs.</summary>
    Add,

    /// <summary>Flatten of several channels of several pixels: NHWC bytes reordered to NCHW. Args: channels, pixels.</summary>
    Flatten,

    /// <summary>Float island. Args: the normalized count.</summary>
    LayerNorm,

    /// <summary>Float island. Args: dim, outer, size, inner.</summary>
    Softmax,

    /// <summary>No work: the output is the input's bytes (Flatten, Dropout, Identity, a layer fused into another).</summary>
    Alias,
}

/// <summary>
/// One step of the int8 program, for step <see cref="Step"/> of <c>Forward</c> (it writes value <c>Step + 1</c>).
/// <see cref="Layer"/> is the module path ("" for a functional op); <see cref="Fused"/> the layers folded into it;
/// <see cref="Activation"/> a <c>FusedActivation</c> member name; <see cref="Note"/> says why an alias is one.
/// </summary>
internal sealed record Int8Step(
    int Step,
    Int8Op Op,
    string Layer,
    EquatableArray<int> Inputs,
    EquatableArray<string> Fused,
    string Activation,
    EquatableArray<int> Args,
    string Note);

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
