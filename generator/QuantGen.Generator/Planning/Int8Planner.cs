using System;
using System.Collections.Generic;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Planning;

/// <summary>
/// Turns the shape plan into the int8 program that eager int8 runs, step for step: which step quantizes and which
/// dequantizes, which layers collapse into the convolution or linear layer they are fused into, which steps are
/// aliases (Flatten, Dropout, Identity), which run as float islands, and where every quint8 value lives in the
/// arena. Only static mode has a program; a static model the program cannot express gets QG0008 and shapes only.
/// </summary>
internal static class Int8Planner
{
    private sealed class NoProgram(string reason, LocationInfo? location) : Exception(reason)
    {
        public LocationInfo? Location { get; } = location;
    }

    public static Int8Result Plan(PlanResult planned)
    {
        if (planned.Plan is not ModelPlan plan) return new Int8Result(null, null, "", planned.Diagnostics);
        string mode = plan.Model.Options.Mode;
        // QAT converts to the same int8 layers as static quantization, so both get the int8 program.
        if (mode is not ("Static" or "Qat"))
        {
            return new Int8Result(plan, null, $"QuantMode.{mode} has no generated int8 forward pass yet; only the shapes are generated.", planned.Diagnostics);
        }

        try
        {
            return new Int8Result(plan, Build(plan), "", planned.Diagnostics);
        }
        catch (NoProgram missing)
        {
            var diagnostics = new List<DiagnosticInfo>(planned.Diagnostics)
            {
                DiagnosticInfo.Create(DiagnosticDescriptors.NoInt8Forward, missing.Location, plan.Model.ClassName, missing.Message),
            };
            return new Int8Result(plan, null, missing.Message, diagnostics.ToEquatableArray());
        }
    }

    private static Int8Program Build(ModelPlan plan)
    {
        ModelSpec model = plan.Model;
        var fusionOf = new Dictionary<string, PlannedFusion>(StringComparer.Ordinal);
        foreach (PlannedFusion fusion in plan.Fusions)
        {
            foreach (string layer in fusion.Layers) fusionOf[layer] = fusion;
        }

        int values = model.Forward.Count + 1;
        var storage = new int[values]; // the value whose buffer holds each value; -1: float (the input, the output)
        storage[0] = -1;
        var steps = new List<Int8Step>();
        for (int i = 0; i < model.Forward.Count; i++)
        {
            Int8Step step = Step(plan, i, fusionOf, storage);
            steps.Add(step);
            storage[i + 1] = step.Op switch
            {
                Int8Op.Dequantize => -1,
                Int8Op.Alias => storage[step.Inputs[0]],
                _ => i + 1,
            };
        }

        if (model.Output == 0 || steps[model.Output - 1].Op != Int8Op.Dequantize)
        {
            throw new NoProgram("the output of Forward does not come from a DeQuantStub; end Forward with 'return dequant.Forward(x);'", Location(model, model.Output));
        }

        (EquatableArray<ArenaSlot> slots, int length) = ArenaPlanner.Place(Buffers(plan, steps, storage));
        return new Int8Program(steps.ToEquatableArray(), storage.ToEquatableArray(), slots, length, Scratch(plan, steps), MaxBatch(length));
    }

    private static Int8Step Step(ModelPlan plan, int index, Dictionary<string, PlannedFusion> fusionOf, int[] storage)
    {
        ModelSpec model = plan.Model;
        ForwardStep step = model.Forward[index];
        PlannedStep shapes = plan.Steps[index];
        LayerSpec? layer = step.Op is ForwardOp.Layer or ForwardOp.Add ? model.Layer(step.Target) : null;
        string path = layer?.Name ?? "";
        string kind = layer?.Kind ?? shapes.Kind;

        bool quantizes = kind == "QuantStub";
        foreach (int read in step.Inputs)
        {
            if ((storage[read] < 0) == quantizes) continue;
            if (quantizes) throw new NoProgram($"'{path}' (QuantStub) quantizes a value that is already int8; quantize only the model input", step.Location);
            throw new NoProgram(read == 0
                ? $"the model input reaches '{shapes.Name}' without a QuantStub; quantize it first ('x = quant.Forward(x);' with a 'readonly QuantStub quant = new();')"
                : $"'{shapes.Name}' reads a float value after a DeQuantStub; only the output of Forward may follow a DeQuantStub", step.Location);
        }

        if (layer is not null && fusionOf.TryGetValue(path, out PlannedFusion? fusion) && fusion.Layers[0] != path)
        {
            return Alias(index, step, path, $"fused into '{fusion.Layers[0]}' ([Fuse({Pattern(fusion)})])");
        }

        EquatableArray<int> input = shapes.InputShape;
        switch (step.Op)
        {
            case ForwardOp.Flatten:
                return Flatten(index, step, "", input);
            case ForwardOp.Functional when step.Target is "Relu" or "Relu6":
                return Make(index, Int8Op.Clamp, "", step, step.Target == "Relu" ? "ReLU" : "ReLU6");
            case ForwardOp.Functional when step.Target is "AdaptiveAvgPool2d":
                return Make(index, Int8Op.AdaptiveAvgPool2d, "", step, "None", default, input[0], input[1], input[2], shapes.OutputShape[1], shapes.OutputShape[2]);
            case ForwardOp.Functional:
                throw new NoProgram($"Functional.{step.Target} has no int8 form", step.Location);
            case ForwardOp.Add when layer is { Kind: "Add" }:
                return Make(index, Int8Op.Add, path, step);
            case ForwardOp.Add:
                throw new NoProgram("'+' on quantized tensors has no int8 form (eager int8 rejects it too); add with an Add module: 'skipAdd.Forward(a, b)'", step.Location);
        }

        LayerSpec l = layer!;
        switch (kind)
        {
            case "QuantStub":
                return Make(index, Int8Op.Quantize, path, step);
            case "DeQuantStub":
                return Make(index, Int8Op.Dequantize, path, step);
            case "Conv2d":
                return Make(index, Int8Op.Conv2d, path, step, FusedActivation(fusionOf, path), Absorbed(fusionOf, path),
                    input[0], input[1], input[2], Int(l, "outChannels"), Int(l, "kernelSize"), Int(l, "stride"), Int(l, "padding"), Int(l, "dilation"), Int(l, "groups"));
            case "Linear":
                return Make(index, Int8Op.Linear, path, step, FusedActivation(fusionOf, path), Absorbed(fusionOf, path), Int(l, "inFeatures"), Int(l, "outFeatures"));
            case "MaxPool2d":
                return Make(index, Int8Op.MaxPool2d, path, step, "None", default,
                    input[0], input[1], input[2], Int(l, "kernelSize"), (int)(l.Int("stride") ?? Int(l, "kernelSize")), Int(l, "padding"), Int(l, "dilation"), Flag(l, "ceilMode", false));
            case "AvgPool2d":
                return Make(index, Int8Op.AvgPool2d, path, step, "None", default,
                    input[0], input[1], input[2], Int(l, "kernelSize"), (int)(l.Int("stride") ?? Int(l, "kernelSize")), Int(l, "padding"), 1, Flag(l, "ceilMode", false), Flag(l, "countIncludePad", true));
            case "AdaptiveAvgPool2d":
                return Make(index, Int8Op.AdaptiveAvgPool2d, path, step, "None", default, input[0], input[1], input[2], shapes.OutputShape[1], shapes.OutputShape[2]);
            case "ReLU" or "ReLU6":
                return Make(index, Int8Op.Clamp, path, step, kind);
            case "Flatten":
                return Flatten(index, step, path, input);
            case "Dropout" or "Identity":
                return Alias(index, step, path, $"{kind} is the identity in eval mode");
            case "LayerNorm":
                return Make(index, Int8Op.LayerNorm, path, step, "None", default, input[input.Count - 1]);
            case "Softmax":
                return Softmax(index, step, l, input);
            case "BatchNorm2d":
                throw new NoProgram($"'{path}' (BatchNorm2d) is not fused into a convolution; add [Fuse(\"Conv\", \"BN\")] (or [Fuse(\"Conv\", \"BN\", \"ReLU\")])", l.Location);
            default:
                throw new NoProgram($"'{path}' ({kind}) has no int8 form", l.Location);
        }
    }

    /// <summary>
    /// Quint8 values are stored channels-last (NHWC). Flatten wants NCHW order, which is the same bytes unless a
    /// sample has several channels of several pixels; then a step reorders them once.
    /// </summary>
    private static Int8Step Flatten(int index, ForwardStep step, string path, EquatableArray<int> input)
    {
        (int channels, int pixels) = ChannelsAndPixels(input);
        if (channels > 1 && pixels > 1) return Make(index, Int8Op.Flatten, path, step, "None", default, channels, pixels);
        return Alias(index, step, path, channels > 1 ? "one pixel: NHWC bytes are already flat" : "one channel: NHWC bytes are NCHW bytes");
    }

    /// <summary>A value's channels and its pixels per channel (H·W); a flat value is one channel.</summary>
    public static (int Channels, int Pixels) ChannelsAndPixels(EquatableArray<int> shape)
    {
        if (shape.Count < 2) return (1, Length(shape));
        int pixels = 1;
        for (int d = 1; d < shape.Count; d++) pixels *= shape[d];
        return (shape[0], pixels);
    }

    private static Int8Step Softmax(int index, ForwardStep step, LayerSpec layer, EquatableArray<int> shape)
    {
        // The axis counts the batch dimension, as in PyTorch; a softmax across the batch cannot run per sample.
        int dim = (int)(layer.Int("dim") ?? -1), rank = shape.Count + 1;
        int axis = dim < 0 ? dim + rank : dim;
        if (axis <= 0 || axis >= rank)
        {
            throw new NoProgram($"'{layer.Name}' (Softmax) runs along dimension {dim}, not within one sample of shape [{string.Join(", ", shape)}]", layer.Location);
        }

        int outer = 1, inner = 1;
        for (int d = 0; d < axis - 1; d++) outer *= shape[d];
        for (int d = axis; d < shape.Count; d++) inner *= shape[d];
        return Make(index, Int8Op.Softmax, layer.Name, step, "None", default, dim, outer, shape[axis - 1], inner);
    }

    // ---- the arena ----

    private static List<ArenaPlanner.Buffer> Buffers(ModelPlan plan, List<Int8Step> steps, int[] storage)
    {
        var last = new int[storage.Length];
        for (int v = 0; v < last.Length; v++) last[v] = v - 1;
        foreach (Int8Step step in steps)
        {
            foreach (int input in step.Inputs)
            {
                if (storage[input] > 0) last[storage[input]] = Math.Max(last[storage[input]], step.Step);
            }
        }

        var buffers = new List<ArenaPlanner.Buffer>();
        for (int v = 1; v < storage.Length; v++)
        {
            if (storage[v] == v) buffers.Add(new ArenaPlanner.Buffer(v, Length(plan.Steps[v - 1].OutputShape), v - 1, last[v]));
        }

        return buffers;
    }

    /// <summary>
    /// The most samples one pass runs: the batched Forward runs chunks of this many, each layer as one larger GEMM,
    /// while the arena (its length times this) stays within <see cref="ArenaBudget"/>, about half a core's L2.
    /// </summary>
    private static int MaxBatch(int arenaLength)
    {
        int samples = 1;
        while (samples < MaxChunk && (long)arenaLength * samples * 2 <= ArenaBudget) samples *= 2;
        return samples;
    }

    private const int MaxChunk = 64, ArenaBudget = 1 << 20;

    private static int Scratch(ModelPlan plan, List<Int8Step> steps)
    {
        int floats = 0;
        foreach (Int8Step step in steps)
        {
            if (step.Op is Int8Op.LayerNorm or Int8Op.Softmax) floats = Math.Max(floats, 2 * Length(plan.Steps[step.Step].InputShape));
        }

        return floats;
    }

    // ---- helpers ----

    private static Int8Step Make(int index, Int8Op op, string path, ForwardStep step, string activation = "None", EquatableArray<string> fused = default, params int[] args) =>
        new(index, op, path, step.Inputs, fused, activation, new EquatableArray<int>(args), "");

    private static Int8Step Alias(int index, ForwardStep step, string path, string note) =>
        new(index, Int8Op.Alias, path, step.Inputs, default, "None", EquatableArray<int>.Empty, note);

    private static string FusedActivation(Dictionary<string, PlannedFusion> fusionOf, string head)
    {
        if (!fusionOf.TryGetValue(head, out PlannedFusion? fusion)) return "None";
        string last = fusion.Pattern[fusion.Pattern.Count - 1];
        return last is "ReLU" or "ReLU6" ? last : "None";
    }

    private static EquatableArray<string> Absorbed(Dictionary<string, PlannedFusion> fusionOf, string head)
    {
        if (!fusionOf.TryGetValue(head, out PlannedFusion? fusion)) return EquatableArray<string>.Empty;
        var absorbed = new List<string>();
        for (int i = 1; i < fusion.Layers.Count; i++) absorbed.Add(fusion.Layers[i]);
        return absorbed.ToEquatableArray();
    }

    public static string Pattern(PlannedFusion fusion)
    {
        var kinds = new List<string>();
        foreach (string kind in fusion.Pattern) kinds.Add("\"" + kind + "\"");
        return string.Join(", ", kinds);
    }

    private static int Int(LayerSpec layer, string name) => (int)(layer.Int(name) ?? 0);

    private static int Flag(LayerSpec layer, string name, bool byDefault) =>
        (layer.Arg(name)?.Text is string text ? text == "true" : byDefault) ? 1 : 0;

    private static int Length(EquatableArray<int> shape)
    {
        int length = 1;
        foreach (int dim in shape) length *= dim;
        return length;
    }

    private static LocationInfo? Location(ModelSpec model, int value) =>
        value > 0 ? model.Forward[value - 1].Location : model.Forward.Count > 0 ? model.Forward[0].Location : null;
}
