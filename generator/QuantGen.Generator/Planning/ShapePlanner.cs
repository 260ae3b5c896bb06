using System;
using System.Collections.Generic;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;

namespace QuantGen.Generator.Planning;

/// <summary>
/// Infers the shape of every value of <c>Forward</c> from <c>[InputShape]</c>, with each op's rule from its
/// descriptor (PyTorch's; shapes here have no batch dimension), and finds the <c>[Fuse]</c> patterns that apply.
/// A shape that does not fit is a diagnostic naming the layer and both numbers; then there is no plan.
/// </summary>
internal static class ShapePlanner
{
    public static PlanResult Plan(ParseResult parsed)
    {
        if (parsed.Model is not ModelSpec model) return new PlanResult(null, parsed.Diagnostics);

        var diagnostics = new List<DiagnosticInfo>(parsed.Diagnostics);
        var shapes = new List<long[]> { ToLong(model.InputShape) };
        var provenance = new List<string> { $"shape {ShapeContext.Format(shapes[0])}, the model input" };
        var steps = new List<PlannedStep>();

        try
        {
            CheckSize("the input", "InputShape", shapes[0], null);
            foreach (ForwardStep step in model.Forward)
            {
                var inputs = new long[step.Inputs.Count][];
                var from = new string[step.Inputs.Count];
                for (int i = 0; i < inputs.Length; i++) (inputs[i], from[i]) = (shapes[step.Inputs[i]], provenance[step.Inputs[i]]);

                OpArgs args = model.ArgsOf(step);
                long[] output = step.Op.InferShape(new ShapeContext(step, args, model.Layer(step.Layer)?.Location, inputs, from));
                CheckSize(step.Name, step.Op.Kind, output, step.Location);
                steps.Add(new PlannedStep(step.Name, step.Op.Kind, step.Op.Describe(step, args), ToInt(inputs[0]), ToInt(output)));
                shapes.Add(output);
                // A flatten's output is best explained by the shape it flattened.
                provenance.Add(step.Op == OpRegistry.Flatten ? $"from {ShapeContext.Format(inputs[0])} after '{step.Name}'" : $"shape {ShapeContext.Format(output)} after '{step.Name}'");
            }
        }
        catch (ShapeException failure)
        {
            diagnostics.Add(failure.Diagnostic);
            return new PlanResult(null, diagnostics.ToEquatableArray());
        }

        List<PlannedFusion> fusions = FindFusions(model, model.Fuses);
        if (LinearFoldMismatch(model, steps, fusions) is { } mismatch)
        {
            diagnostics.Add(mismatch);
            return new PlanResult(null, diagnostics.ToEquatableArray());
        }

        var plan = new ModelPlan(model, steps.ToEquatableArray(), fusions.ToEquatableArray(), ToInt(shapes[model.Output]));
        return new PlanResult(plan, diagnostics.ToEquatableArray());
    }

    /// <summary>
    /// A BatchNorm1d folds into a Linear per output feature, so only after a Linear over flat features: after a Linear
    /// over [T, F] it normalises the T rows instead (the fold would be wrong, and eager fusion refuses it at run time).
    /// </summary>
    private static DiagnosticInfo? LinearFoldMismatch(ModelSpec model, List<PlannedStep> steps, List<PlannedFusion> fusions)
    {
        foreach (PlannedFusion fusion in fusions)
        {
            int head = IndexOf(model, fusion.Layers[0]);
            if (!model.Forward[head].Op.Equals(OpRegistry.Linear) || steps[head].OutputShape.Count == 1) continue;
            for (int i = 1; i < fusion.Layers.Count; i++)
            {
                int absorbed = IndexOf(model, fusion.Layers[i]);
                if (!model.Forward[absorbed].Op.Equals(OpRegistry.BatchNorm1d)) continue;
                string output = ShapeContext.Format(ToLong(steps[head].OutputShape));
                return DiagnosticInfo.Create(DiagnosticDescriptors.ShapeMismatch, model.Layer(fusion.Layers[i])?.Location, steps[absorbed].Name, model.Forward[absorbed].Op.Kind,
                    $"the flat output of the Linear it folds into ([Fuse({FusionPatterns.Quoted(fusion.Pattern)})]), one value per output feature",
                    output,
                    $"'{steps[head].Name}' over {ShapeContext.Format(ToLong(steps[head].InputShape))} gives {output}, whose rows it would normalise; " +
                    "fold it only after a Linear over [N, features], or leave it unfused");
            }
        }

        return null;
    }

    private static int IndexOf(ModelSpec model, string layer)
    {
        for (int i = 0; i < model.Forward.Count; i++)
        {
            if (model.Forward[i].Layer == layer) return i;
        }

        return -1;
    }

    private static void CheckSize(string name, string kind, long[] shape, LocationInfo? location)
    {
        long count = 1;
        foreach (long dim in shape)
        {
            if (dim <= 0 || dim > int.MaxValue || count > int.MaxValue / dim)
            {
                throw new ShapeException(DiagnosticInfo.Create(DiagnosticDescriptors.ShapeMismatch, location, name, kind,
                    "an output of 1 to 2³¹−1 elements", ShapeContext.Format(shape), "the output shape"));
            }

            count *= dim;
        }
    }

    // ---- fusions ----

    /// <summary>
    /// Each run of steps that matches a pattern, where each step's only consumer is the next: longest pattern
    /// first, then in the order given; a layer joins at most one fusion. The plan uses the model's [Fuse] patterns;
    /// the analyzers also ask with patterns the model does not list (fusion opportunities).
    /// </summary>
    public static List<PlannedFusion> FindFusions(ModelSpec model, EquatableArray<FusePattern> fuses)
    {
        var consumers = new int[model.Forward.Count + 1];
        foreach (ForwardStep step in model.Forward)
        {
            foreach (int input in step.Inputs) consumers[input]++;
        }

        consumers[model.Output]++;

        List<FusePattern> patterns = StableByLength(fuses);

        var fusions = new List<PlannedFusion>();
        for (int i = 0; i < model.Forward.Count;)
        {
            int matched = 0;
            foreach (FusePattern pattern in patterns)
            {
                if (Matches(model, consumers, i, pattern))
                {
                    var names = new List<string>();
                    for (int j = 0; j < pattern.Kinds.Count; j++) names.Add(model.Forward[i + j].Layer);
                    fusions.Add(new PlannedFusion(names.ToEquatableArray(), pattern.Kinds));
                    matched = pattern.Kinds.Count;
                    break;
                }
            }

            i += Math.Max(1, matched);
        }

        return fusions;
    }

    private static List<FusePattern> StableByLength(EquatableArray<FusePattern> fuses)
    {
        var ordered = new List<FusePattern>();
        int longest = 0;
        foreach (FusePattern pattern in fuses) longest = Math.Max(longest, pattern.Kinds.Count);
        for (int length = longest; length > 0; length--)
        {
            foreach (FusePattern pattern in fuses)
            {
                if (pattern.Kinds.Count == length) ordered.Add(pattern);
            }
        }

        return ordered;
    }

    private static bool Matches(ModelSpec model, int[] consumers, int first, FusePattern pattern)
    {
        if (first + pattern.Kinds.Count > model.Forward.Count) return false;
        for (int j = 0; j < pattern.Kinds.Count; j++)
        {
            ForwardStep step = model.Forward[first + j];
            // Only modules fuse: eager fusion replaces them by path.
            if (!step.IsModule || step.Op.FuseRole != pattern.Kinds[j]) return false;
            // Step k writes value k + 1: each later step must read the previous one's output, its only consumer.
            if (j > 0 && (step.Inputs[0] != first + j || consumers[first + j] != 1)) return false;
        }

        return true;
    }

    // ---- shapes as data ----

    private static long[] ToLong(EquatableArray<int> shape)
    {
        var result = new long[shape.Count];
        for (int i = 0; i < result.Length; i++) result[i] = shape[i];
        return result;
    }

    private static EquatableArray<int> ToInt(long[] shape)
    {
        var result = new int[shape.Length];
        for (int i = 0; i < result.Length; i++) result[i] = (int)shape[i];
        return new EquatableArray<int>(result);
    }
}
