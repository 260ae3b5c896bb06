using System.Collections.Generic;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;
using QuantGen.Generator.Ops.Lowerings;

namespace QuantGen.Generator.Planning;

/// <summary>
/// Turns the shape plan into the float pass every class gets and, for a <c>QuantMode.Dynamic</c> class, the dynamic
/// pass: every value float (NCHW, PyTorch's layout), each step from its descriptor's float lowering — in the dynamic
/// pass the dynamic one, which for Linear quantizes its input per sample inside the step and returns float, so no
/// conversion step is needed between them. Layers a <c>[Fuse]</c> pattern folds into their head run inside it. The
/// arena is planned as the int8 pass's. A step with no float lowering yet (an op added without one) means no pass,
/// and QG0014 names it.
/// </summary>
internal static class FloatPlanner
{
    /// <summary>
    /// The most bytes of arena a float pass's samples take together. Not the int8 pass's half an L2: a float layer
    /// streams its weights from L3 once per pass, and a GEMM wants many columns per weight it loads, so a float pass
    /// runs as many samples (up to 64) as 32 MB holds (MobileNetV2 at 28×28: 64; at 224×224: 1).
    /// </summary>
    private const long FloatArenaBudget = 32L << 20;

    public static ProgramResult Plan(ProgramResult planned)
    {
        if (planned.Plan is not ModelPlan plan) return planned;
        var diagnostics = new List<DiagnosticInfo>(planned.Diagnostics);
        PassProgram? @float = TryBuild(plan, PassKind.Float, diagnostics);
        PassProgram? dynamic = plan.Model.Options.Mode == "Dynamic" ? TryBuild(plan, PassKind.Dynamic, diagnostics) : null;
        return planned with { Float = @float, Dynamic = dynamic, Diagnostics = diagnostics.ToEquatableArray() };
    }

    private static PassProgram? TryBuild(ModelPlan plan, PassKind kind, List<DiagnosticInfo> diagnostics)
    {
        try
        {
            return Build(plan, kind);
        }
        catch (NoProgramException missing)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoFloatPass, missing.Location, kind.ToString(), plan.Model.ClassName, missing.Message));
            return null;
        }
    }

    private static PassProgram Build(ModelPlan plan, PassKind kind)
    {
        ModelSpec model = plan.Model;
        var fusionOf = new Dictionary<string, PlannedFusion>(System.StringComparer.Ordinal);
        foreach (PlannedFusion fusion in plan.Fusions)
        {
            foreach (string layer in fusion.Layers) fusionOf[layer] = fusion;
        }

        int values = model.Forward.Count + 1;
        var storage = new int[values]; // the value whose buffer holds each value; -1: the caller's input
        storage[0] = -1;
        var steps = new List<ProgramStep>();
        for (int i = 0; i < model.Forward.Count; i++)
        {
            ForwardStep step = model.Forward[i];
            FloatLowering lowering = Lower(plan, i, kind, fusionOf);
            steps.Add(new ProgramStep(i, step.Inputs, lowering));
            storage[i + 1] = lowering.Storage == StepStorage.Alias ? storage[step.Inputs[0]] : i + 1;
        }

        // The output stays alive to the end: Run copies it into the caller's span after the last step.
        List<ArenaPlanner.Buffer> buffers = ArenaPlanner.Lifetimes(steps, storage, v => 4 * Int8Planner.Length(plan.Steps[v - 1].OutputShape));
        for (int b = 0; b < buffers.Count; b++)
        {
            if (buffers[b].Value == storage[model.Output]) buffers[b] = buffers[b] with { Last = steps.Count };
        }

        (EquatableArray<ArenaSlot> slots, long length) = ArenaPlanner.Place(buffers);
        if (length > ArenaPlanner.MaxLength)
        {
            throw new NoProgramException(
                $"its float values need an arena of {Int8Planner.Count(length)} bytes per sample, more than the {Int8Planner.Count(ArenaPlanner.MaxLength)} one .NET array holds",
                Int8Planner.Location(model, model.Output));
        }

        // Offsets and lengths in floats, the arena's elements.
        var floatSlots = new List<ArenaSlot>();
        foreach (ArenaSlot slot in slots) floatSlots.Add(slot with { Offset = slot.Offset / sizeof(float), Length = slot.Length / sizeof(float) });
        var dtypes = new ValueDtype[values];
        for (int v = 0; v < values; v++) dtypes[v] = ValueDtype.Float; // the dynamic Linear converts inside its step
        return new PassProgram(kind, steps.ToEquatableArray(), dtypes.ToEquatableArray(), storage.ToEquatableArray(), floatSlots.ToEquatableArray(),
            (int)length / sizeof(float), ScratchLength: 0, Int8Planner.MaxBatch(length, 0, FloatArenaBudget));
    }

    private static FloatLowering Lower(ModelPlan plan, int index, PassKind kind, Dictionary<string, PlannedFusion> fusionOf)
    {
        ForwardStep step = plan.Model.Forward[index];
        PlannedFusion? fusion = step.IsModule && fusionOf.TryGetValue(step.Layer, out PlannedFusion? found) ? found : null;
        if (fusion is not null && fusion.Layers[0] != step.Layer)
        {
            return new FloatAliasLowering($"runs inside '{fusion.Layers[0]}' ([Fuse({FusionPatterns.Quoted(fusion.Pattern)})])");
        }

        var context = new LoweringContext(plan, index, fusion);
        FloatLowering? lowering = kind == PassKind.Dynamic ? step.Op.LowerDynamic(context) : step.Op.LowerFloat(context);
        return lowering ?? throw context.NoProgram($"'{step.Name}' ({step.Op.Kind}) has no float lowering yet");
    }
}
