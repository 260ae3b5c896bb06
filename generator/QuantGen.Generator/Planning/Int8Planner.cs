using System;
using System.Collections.Generic;
using System.Linq;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;
using QuantGen.Generator.Ops.Lowerings;

namespace QuantGen.Generator.Planning;

/// <summary>
/// Turns the shape plan into the int8 program that eager int8 runs, step for step: which values are float and which
/// quint8, which layers collapse into the convolution or linear layer they are fused into, and where every quint8
/// value lives in the arena; each step's own lowering comes from its descriptor. Float islands come in two forms, the
/// same program either way: a layer with no int8 kernel amid int8 layers, or PyTorch's explicit
/// <c>DeQuantStub</c> … float layers … <c>QuantStub</c>. Only static and QAT models have a program; one the program
/// cannot express gets QG0008 and shapes only.
/// </summary>
internal static class Int8Planner
{
    /// <summary>What a value is at run time.</summary>
    private enum ValueKind
    {
        /// <summary>The caller's float input.</summary>
        Input,

        /// <summary>Quint8 bytes in the arena.</summary>
        Quint8,

        /// <summary>Quint8 bytes written by a float island that a DeQuantStub opened: a QuantStub may close it.</summary>
        IslandOutput,

        /// <summary>Float after a DeQuantStub inside Forward: its bytes are still the quint8 ones it came from.</summary>
        Float,
    }

    public static ProgramResult Plan(PlanResult planned)
    {
        if (planned.Plan is not ModelPlan plan) return new ProgramResult(null, null, "", planned.Diagnostics);
        (HashSet<string> kept, List<DiagnosticInfo> unknown) = KeptLayers.Resolve(plan);
        if (unknown.Count > 0) planned = planned with { Diagnostics = new List<DiagnosticInfo>(planned.Diagnostics).Concat(unknown).ToEquatableArray() };
        string mode = plan.Model.Options.Mode;
        // QAT converts to the same int8 layers as static quantization, so both get the int8 program.
        if (mode is not ("Static" or "Qat"))
        {
            string missing = mode == "Dynamic"
                ? "QuantMode.Dynamic quantizes each Linear's input per call: its pass is Dynamic, below."
                : $"QuantMode.{mode} has no generated int8 forward pass yet; only the shapes are generated.";
            return new ProgramResult(plan, null, missing, planned.Diagnostics);
        }

        try
        {
            return new ProgramResult(plan, Build(plan, kept), "", planned.Diagnostics);
        }
        catch (NoProgramException missing)
        {
            var diagnostics = new List<DiagnosticInfo>(planned.Diagnostics)
            {
                DiagnosticInfo.Create(DiagnosticDescriptors.NoInt8Forward, missing.Location, plan.Model.ClassName, missing.Message),
            };
            return new ProgramResult(plan, null, missing.Message, diagnostics.ToEquatableArray());
        }
    }

    private static PassProgram Build(ModelPlan plan, HashSet<string> kept)
    {
        ModelSpec model = plan.Model;
        if (model.Options.Mode == "Qat" && model.KeepFloat.Count > 0)
        {
            throw new NoProgramException("[KeepFloat] does not combine with QuantMode.Qat yet: PrepareQat keeps no layer in float, so the eager model would not match", model.KeepFloat[0].Location);
        }

        var fusionOf = new Dictionary<string, PlannedFusion>(StringComparer.Ordinal);
        foreach (PlannedFusion fusion in plan.Fusions)
        {
            foreach (string layer in fusion.Layers) fusionOf[layer] = fusion;
        }

        int values = model.Forward.Count + 1;
        var kinds = new ValueKind[values];
        var storage = new int[values]; // the value whose buffer holds each value; -1: float (the input, the output)
        storage[0] = -1;
        var floats = new bool[values]; // values that hold a kept layer's float output beside their bytes
        var steps = new List<ProgramStep>();
        for (int i = 0; i < model.Forward.Count; i++)
        {
            (Int8Lowering lowering, ValueKind kind) = Step(plan, i, fusionOf, kinds, new Kept(kept, floats));
            ForwardStep step = model.Forward[i];
            steps.Add(new ProgramStep(i, step.Inputs, lowering));
            kinds[i + 1] = kind;
            storage[i + 1] = lowering.Storage switch
            {
                StepStorage.CallerOutput => -1,
                StepStorage.Alias => storage[step.Inputs[0]],
                _ => i + 1,
            };
        }

        if (kept.Count > 0) SkipUnreadQuantizes(steps, storage);
        if (model.Output == 0 || steps[model.Output - 1].Lowering is not DequantizeLowering)
        {
            throw new NoProgramException($"the output of Forward does not come from a {Dequant}; end Forward with 'return dequant.Forward(x);'", Location(model, model.Output));
        }

        List<ArenaPlanner.Buffer> buffers = ArenaPlanner.Lifetimes(steps, storage, v => SlotLength(plan, v, floats));
        (EquatableArray<ArenaSlot> slots, long length) = ArenaPlanner.Place(buffers);
        if (length > ArenaPlanner.MaxLength)
        {
            throw new NoProgramException($"its quint8 values need an arena of {Count(length)} bytes per sample, more than the {Count(ArenaPlanner.MaxLength)} one .NET array holds; use smaller inputs or layers", Location(model, model.Output));
        }

        long scratch = Scratch(plan, steps);
        if (scratch > ArenaPlanner.MaxLength)
        {
            throw new NoProgramException($"its float islands need {Count(scratch)} floats of scratch per sample, more than the {Count(ArenaPlanner.MaxLength)} one .NET array holds; use smaller inputs or layers", Location(model, model.Output));
        }

        int maxBatch = MaxBatch(length, scratch);
        // Float islands borrow a scratch sized for the whole batch, and kept layers' floats sit in their values' slots: a
        // head is planned only without either. With one, the program's slots, length and samples are its tail's.
        HeadPlanner.Tiling? tiling = scratch == 0 && kept.Count == 0 ? HeadPlanner.Plan(model, steps, buffers, maxBatch) : null;
        return new PassProgram(PassKind.Int8, steps.ToEquatableArray(), Dtypes(storage), storage.ToEquatableArray(), tiling?.Slots ?? slots,
            tiling?.Length ?? (int)length, (int)scratch, tiling?.MaxBatch ?? maxBatch, kept.Count > 0 ? floats.ToEquatableArray() : default, tiling?.Head);
    }

    /// <summary>
    /// Drops a kept layer's quantize where no step reads its bytes: every reader of the value (and of its aliases) is a
    /// kept layer reading its floats or the final dequantize copying them. Eager quantizes regardless; nothing reads it.
    /// </summary>
    private static void SkipUnreadQuantizes(List<ProgramStep> steps, int[] storage)
    {
        var bytesRead = new bool[storage.Length];
        foreach (ProgramStep step in steps)
        {
            for (int i = 0; i < step.Inputs.Count; i++)
            {
                int value = step.Inputs[i];
                bool readsFloats = step.Lowering switch
                {
                    KeptFloatLowering kept => kept.FloatInputs[i],
                    DequantizeLowering { FromKeptFloats: true } => true,
                    _ => step.Lowering.Storage == StepStorage.Alias, // an alias reads nothing; its readers count for the root
                };
                if (!readsFloats && value > 0) bytesRead[storage[value] > 0 ? storage[value] : value] = true;
            }
        }

        for (int s = 0; s < steps.Count; s++)
        {
            if (steps[s].Lowering is KeptFloatLowering kept && !bytesRead[s + 1]) steps[s] = steps[s] with { Lowering = kept with { QuantizesOutput = false } };
        }
    }

    /// <summary>A value's bytes per sample in the arena: its quint8 bytes, and a kept layer's floats after them.</summary>
    private static int SlotLength(ModelPlan plan, int value, bool[] floats)
    {
        int length = Length(plan.Steps[value - 1].OutputShape);
        return floats[value] ? (int)Math.Min(ArenaPlanner.KeptFloatsSlot(length), ArenaPlanner.MaxLength) : length;
    }

    /// <summary>The layers kept in float, and which values hold a kept layer's floats (filled in as the steps are planned).</summary>
    private readonly record struct Kept(HashSet<string> Layers, bool[] Floats);

    /// <summary>One step's lowering and what its output is, from what it reads and what eager convert makes of its op.</summary>
    private static (Int8Lowering Lowering, ValueKind Kind) Step(ModelPlan plan, int index, Dictionary<string, PlannedFusion> fusionOf, ValueKind[] kinds, Kept kept)
    {
        ModelSpec model = plan.Model;
        ForwardStep step = model.Forward[index];
        PlannedFusion? fusion = step.IsModule && fusionOf.TryGetValue(step.Layer, out PlannedFusion? found) ? found : null;
        var context = new LoweringContext(plan, index, fusion?.Layers[0] == step.Layer ? fusion : null);
        ValueKind input = kinds[step.Inputs[0]];

        bool floatsIn = kept.Floats[step.Inputs[0]];
        if (fusion is not null && fusion.Layers[0] != step.Layer)
        {
            kept.Floats[index + 1] = floatsIn; // eager's fused-away layer is the identity: a kept head's floats pass on
            return (new AliasLowering($"fused into '{fusion.Layers[0]}' ([Fuse({FusionPatterns.Quoted(fusion.Pattern)})])", fusion.Layers[0]), ValueKind.Quint8);
        }

        if (step.IsModule && kept.Layers.Contains(step.Layer)) return KeptStep(model, context, step, kinds, kept.Floats, index);
        Int8Form form = step.Op.Int8FormFor(context.Args);
        if (floatsIn && form is Int8Form.Identity or Int8Form.Quantize) kept.Floats[index + 1] = true;
        if (floatsIn && form == Int8Form.FloatIsland)
        {
            throw context.NoProgram($"'{step.Name}' ({step.Op.Kind}) runs as a float island right after a layer kept in float, which eager feeds the kept floats; keep it in float too ([KeepFloat])");
        }

        if (floatsIn && form == Int8Form.Dequantize && model.Output == index + 1)
        {
            return (new DequantizeLowering(context.InputShape) { FromKeptFloats = true }, ValueKind.Float);
        }

        if (floatsIn && form == Int8Form.Dequantize)
        {
            throw context.NoProgramAtCall($"'{step.Name}' ({step.Op.Kind}) opens a float island on the output of a layer kept in float; keep the island's layers in float instead of the stubs ([KeepFloat])");
        }

        switch (form)
        {
            case Int8Form.Quantize when input == ValueKind.Input:
                return (step.Op.Lower(context), ValueKind.Quint8);
            case Int8Form.Quantize when input == ValueKind.IslandOutput:
                // Eager convert's quantize passes quint8 values through: the island already quantized with its own qparams.
                return (new AliasLowering($"closes the float island its {Dequant} opened; the island's output is already quint8"), ValueKind.Quint8);
            case Int8Form.Quantize when input == ValueKind.Float:
                throw context.NoProgram($"'{step.Name}' ({step.Op.Kind}) quantizes right after a {Dequant}, with no float layer between; remove both stubs");
            case Int8Form.Quantize:
                throw context.NoProgram($"'{step.Name}' ({step.Op.Kind}) quantizes a value that is already int8; quantize only the model input, or close a float island opened by a {Dequant}");
            case Int8Form.Dequantize when input == ValueKind.Input:
                throw NoQuantStub(context, step);
            case Int8Form.Dequantize when input == ValueKind.Float:
                throw context.NoProgram($"'{step.Name}' ({step.Op.Kind}) dequantizes a value that is already float");
            case Int8Form.Dequantize when model.Output == index + 1:
                return (step.Op.Lower(context), ValueKind.Float);
            case Int8Form.Dequantize:
                return (new AliasLowering("opens a float island: the float layers after it read these bytes dequantized"), ValueKind.Float);
            case Int8Form.FloatIsland when input == ValueKind.Input:
                throw NoQuantStub(context, step);
            case Int8Form.FloatIsland:
                // An island reads quint8 bytes either way (a Float value's bytes are the ones its DeQuantStub read).
                bool opened = input is ValueKind.Float or ValueKind.IslandOutput;
                return (step.Op.Lower(context), opened ? ValueKind.IslandOutput : ValueKind.Quint8);
            case Int8Form.Identity when input == ValueKind.Input:
                throw NoQuantStub(context, step);
            case Int8Form.Identity:
                return (step.Op.Lower(context), input);
        }

        foreach (int read in step.Inputs)
        {
            if (kinds[read] == ValueKind.Input) throw NoQuantStub(context, step);
            if (kinds[read] == ValueKind.Float)
            {
                throw context.NoProgramAtCall($"'{step.Name}' ({step.Op.Kind}) has an int8 kernel but reads a float value after a {Dequant}; " +
                    $"only float layers may run between a {Dequant} and the {Quant} that closes their island, and only the output of Forward may follow a final {Dequant}");
            }
        }

        return (step.Op.Lower(context), ValueKind.Quint8);
    }

    /// <summary>
    /// A layer <c>[KeepFloat]</c> keeps in float: its float step on its inputs' floats (a kept layer's, else the bytes
    /// dequantized), its output quantized for int8 readers and its floats kept for float ones.
    /// </summary>
    private static (Int8Lowering Lowering, ValueKind Kind) KeptStep(ModelSpec model, LoweringContext context, ForwardStep step, ValueKind[] kinds, bool[] floats, int index)
    {
        var floatInputs = new bool[step.Inputs.Count];
        for (int i = 0; i < step.Inputs.Count; i++)
        {
            if (kinds[step.Inputs[i]] == ValueKind.Input) throw NoQuantStub(context, step);
            floatInputs[i] = floats[step.Inputs[i]];
        }

        if (model.Layer(step.Layer) is { } layer && layer.Op.Equals(OpRegistry.FloatFunctional))
        {
            throw context.NoProgram($"'{step.Name}' ({step.Op.Kind}) cannot be kept in float yet (eager refuses it too); keep the layers around it instead");
        }

        FloatLowering? inner = step.Op.LowerFloat(context);
        if (inner?.RuntimeType is null || inner.Storage != StepStorage.Own)
        {
            throw context.NoProgram($"'{step.Name}' ({step.Op.Kind}) is kept in float ([KeepFloat]) but has no float step of its own to run; keep the layers around it instead");
        }

        floats[index + 1] = true;
        ValueKind input = kinds[step.Inputs[0]];
        return (new KeptFloatLowering(inner, floatInputs.ToEquatableArray(), context.InputShape, context.OutputShape),
            input is ValueKind.Float or ValueKind.IslandOutput ? ValueKind.IslandOutput : ValueKind.Quint8);
    }

    // The stubs as messages name them.
    private static string Quant => OpRegistry.QuantStub.Kind;

    private static string Dequant => OpRegistry.DeQuantStub.Kind;

    private static NoProgramException NoQuantStub(LoweringContext context, ForwardStep step) =>
        context.NoProgramAtCall($"the model input reaches '{step.Name}' without a {Quant}; quantize it first ('x = quant.Forward(x);' with a 'readonly {Quant} quant = new();')");

    /// <summary>A value's channels and its pixels per channel (H·W); a flat value is one channel.</summary>
    public static (int Channels, int Pixels) ChannelsAndPixels(EquatableArray<int> shape)
    {
        if (shape.Count < 2) return (1, Length(shape));
        int pixels = 1;
        for (int d = 1; d < shape.Count; d++) pixels *= shape[d];
        return (shape[0], pixels);
    }

    /// <summary>What each value's storage holds: the caller's float input and output, else quint8 bytes (an opened island's too).</summary>
    private static EquatableArray<ValueDtype> Dtypes(int[] storage)
    {
        var dtypes = new ValueDtype[storage.Length];
        for (int v = 0; v < storage.Length; v++) dtypes[v] = storage[v] < 0 ? ValueDtype.Float : ValueDtype.Quint8;
        return dtypes.ToEquatableArray();
    }

    // ---- the arena ----

    /// <summary>
    /// The most samples one pass runs: the batched Forward runs chunks of this many, each layer as one larger GEMM,
    /// while the arena (its length times this) stays within <see cref="ArenaBudget"/>, about half a core's L2.
    /// </summary>
    internal static int MaxBatch(long arenaLength, long scratchLength, long budget = ArenaBudget)
    {
        int samples = 1;
        // The scratch, as the arena, is one array of that many samples: it too must fit one.
        while (samples < MaxChunk && arenaLength * samples * 2 <= budget && scratchLength * samples * 2 <= ArenaPlanner.MaxLength) samples *= 2;
        return samples;
    }

    internal static string Count(long count) => count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private const int MaxChunk = 64, ArenaBudget = 1 << 20;

    /// <summary>The most samples a pass ever runs at once.</summary>
    internal const int MaxSamples = MaxChunk;

    private static long Scratch(ModelPlan plan, List<ProgramStep> steps)
    {
        long floats = 0;
        foreach (ProgramStep step in steps) floats = Math.Max(floats, step.Lowering.ScratchFloats(Length(plan.Steps[step.Step].InputShape)));
        return floats;
    }

    internal static int Length(EquatableArray<int> shape)
    {
        int length = 1;
        foreach (int dim in shape) length *= dim;
        return length;
    }

    internal static LocationInfo? Location(ModelSpec model, int value) =>
        value > 0 ? model.Forward[value - 1].Location : model.Forward.Count > 0 ? model.Forward[0].Location : null;
}
