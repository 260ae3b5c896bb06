using System;
using System.Collections.Generic;
using System.Text;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Planning;

/// <summary>
/// Infers the shape of every value of <c>Forward</c> from <c>[InputShape]</c>, with PyTorch's rules for each
/// module kind (shapes here have no batch dimension), and finds the <c>[Fuse]</c> patterns that apply.
/// A shape that does not fit is a diagnostic naming the layer and both numbers; then there is no plan.
/// </summary>
internal static class ShapePlanner
{
    private sealed class ShapeException(DiagnosticInfo diagnostic) : Exception
    {
        public DiagnosticInfo Diagnostic { get; } = diagnostic;
    }

    public static PlanResult Plan(ParseResult parsed)
    {
        if (parsed.Model is not ModelSpec model) return new PlanResult(null, parsed.Diagnostics);

        var diagnostics = new List<DiagnosticInfo>(parsed.Diagnostics);
        var shapes = new List<long[]> { ToLong(model.InputShape) };
        var provenance = new List<string> { $"shape {Format(shapes[0])}, the model input" };
        var steps = new List<PlannedStep>();

        try
        {
            CheckSize("the input", "InputShape", shapes[0], null);
            foreach (ForwardStep step in model.Forward)
            {
                long[] input = shapes[step.Inputs[0]];
                string from = provenance[step.Inputs[0]];
                (string name, string kind, long[] output) = step.Op switch
                {
                    ForwardOp.Layer => Layer(model, step, input, from),
                    ForwardOp.Flatten => ("Flatten", "Flatten", Flatten(step, "Flatten", "Flatten", step.Integer, input, from)),
                    ForwardOp.Functional => ("Functional." + step.Target, step.Target, Functional(step, input, from)),
                    _ => (step.Target == "+" ? "Add" : step.Target, "Add", Add(step, shapes[step.Inputs[0]], shapes[step.Inputs[1]], from, provenance[step.Inputs[1]])),
                };

                CheckSize(name, kind, output, step.Location);
                steps.Add(new PlannedStep(name, kind, Describe(model, step), ToInt(input), ToInt(output)));
                shapes.Add(output);
                provenance.Add(step.Op == ForwardOp.Flatten ? $"from {Format(input)} after '{name}'" : $"shape {Format(output)} after '{name}'");
            }
        }
        catch (ShapeException failure)
        {
            diagnostics.Add(failure.Diagnostic);
            return new PlanResult(null, diagnostics.ToEquatableArray());
        }

        var plan = new ModelPlan(model, steps.ToEquatableArray(), FindFusions(model, model.Fuses).ToEquatableArray(), ToInt(shapes[model.Output]));
        return new PlanResult(plan, diagnostics.ToEquatableArray());
    }

    // ---- one step ----

    private static (string Name, string Kind, long[] Output) Layer(ModelSpec model, ForwardStep step, long[] input, string from)
    {
        LayerSpec layer = model.Layer(step.Target)!;
        string n = layer.Name, k = layer.Kind;
        long[] output = k switch
        {
            "Conv2d" => Conv2d(layer, step, input, from),
            "BatchNorm2d" => Channels(layer, step, input, from, "numFeatures"),
            "Linear" => Linear(layer, step, input, from),
            "MaxPool2d" => Pool(layer, step, input, from, max: true),
            "AvgPool2d" => Pool(layer, step, input, from, max: false),
            "AdaptiveAvgPool2d" => Adaptive(layer, step, input, from),
            "Flatten" => Flatten(step, n, k, layer.Int("startDim") ?? 1, input, from),
            "LayerNorm" => LastDim(layer, input, from, "normalizedShape", "a last dimension of"),
            _ => input, // ReLU, ReLU6, Dropout, Identity, Softmax, the stubs: the shape passes through.
        };
        return (n, k, output);
    }

    private static long Arg(LayerSpec layer, string name) => layer.Int(name) ?? 0;

    private static LocationInfo? ArgLocation(LayerSpec layer, string name) => layer.Arg(name)?.Location ?? layer.Location;

    private static ShapeException Mismatch(string name, string kind, string expected, string actual, string from, LocationInfo? location) =>
        new(DiagnosticInfo.Create(DiagnosticDescriptors.ShapeMismatch, location, name, kind, expected, actual, from));

    /// <summary>A mismatch at a count argument the user wrote: the inferred count is what a code fix writes there.</summary>
    private static ShapeException ArgumentMismatch(LayerSpec layer, string argument, string expected, long actual, string from)
    {
        ShapeException mismatch = Mismatch(layer.Name, layer.Kind, expected, actual.ToString(), from, ArgLocation(layer, argument));
        if (layer.Arg(argument)?.Location is null) return mismatch;
        return new ShapeException(mismatch.Diagnostic with { FixValue = actual.ToString() });
    }

    private static ShapeException Invalid(LayerSpec layer, string why, string argument) =>
        new(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerArgument, ArgLocation(layer, argument), layer.Name, layer.Kind, why));

    private static void RequireRank3(LayerSpec layer, ForwardStep step, long[] input, string from)
    {
        if (input.Length != 3)
        {
            throw Mismatch(layer.Name, layer.Kind, "a [channels, height, width] input", Format(input), from, step.Location);
        }
    }

    private static void RequirePositive(LayerSpec layer, params string[] names)
    {
        foreach (string name in names)
        {
            if (Arg(layer, name) <= 0) throw Invalid(layer, $"{name} must be positive, got {Arg(layer, name)}", name);
        }
    }

    private static long[] Conv2d(LayerSpec layer, ForwardStep step, long[] input, string from)
    {
        RequirePositive(layer, "inChannels", "outChannels", "kernelSize", "stride", "dilation", "groups");
        long groups = Arg(layer, "groups");
        if (Arg(layer, "inChannels") % groups != 0 || Arg(layer, "outChannels") % groups != 0)
        {
            throw Invalid(layer, $"groups={groups} must divide inChannels={Arg(layer, "inChannels")} and outChannels={Arg(layer, "outChannels")}", "groups");
        }

        if (Arg(layer, "padding") < 0) throw Invalid(layer, $"padding must not be negative, got {Arg(layer, "padding")}", "padding");

        RequireRank3(layer, step, input, from);
        long inChannels = Arg(layer, "inChannels");
        if (input[0] != inChannels)
        {
            throw ArgumentMismatch(layer, "inChannels", $"{inChannels} input channels", input[0], from);
        }

        long k = Arg(layer, "kernelSize"), s = Arg(layer, "stride"), p = Arg(layer, "padding"), d = Arg(layer, "dilation");
        long h = Window(layer, step, input, from, input[1], k, s, p, d, ceil: false);
        long w = Window(layer, step, input, from, input[2], k, s, p, d, ceil: false);
        return [Arg(layer, "outChannels"), h, w];
    }

    /// <summary>PyTorch's output length of a sliding window (conv and pooling), with its ceil-mode rule.</summary>
    private static long Window(LayerSpec layer, ForwardStep step, long[] input, string from, long size, long k, long s, long p, long d, bool ceil)
    {
        long span = d * (k - 1) + 1;
        long room = size + 2 * p - span;
        if (room < 0)
        {
            throw Mismatch(layer.Name, layer.Kind, $"an input of at least {span - 2 * p} × {span - 2 * p} (kernel {k}, padding {p}, dilation {d})",
                $"{input[1]} × {input[2]}", from, step.Location);
        }

        long output = (ceil ? (room + s - 1) / s : room / s) + 1;
        // In ceil mode the last window must start inside the input or its left padding.
        if (ceil && (output - 1) * s >= size + p) output--;
        return output;
    }

    private static long[] Channels(LayerSpec layer, ForwardStep step, long[] input, string from, string argument)
    {
        RequirePositive(layer, argument);
        RequireRank3(layer, step, input, from);
        if (input[0] != Arg(layer, argument))
        {
            throw ArgumentMismatch(layer, argument, $"{Arg(layer, argument)} input channels", input[0], from);
        }

        return input;
    }

    private static long[] Linear(LayerSpec layer, ForwardStep step, long[] input, string from)
    {
        RequirePositive(layer, "inFeatures", "outFeatures");
        long[] output = LastDim(layer, input, from, "inFeatures", "");
        output[output.Length - 1] = Arg(layer, "outFeatures");
        return output;
    }

    private static long[] LastDim(LayerSpec layer, long[] input, string from, string argument, string prefix)
    {
        RequirePositive(layer, argument);
        long expected = Arg(layer, argument);
        long last = input[input.Length - 1];
        if (last != expected)
        {
            string what = layer.Kind == "Linear" ? $"{expected} input features" : $"{prefix} {expected}".Trim();
            throw ArgumentMismatch(layer, argument, what, last, from);
        }

        return (long[])input.Clone();
    }

    private static long[] Pool(LayerSpec layer, ForwardStep step, long[] input, string from, bool max)
    {
        long k = Arg(layer, "kernelSize");
        long s = layer.Int("stride") ?? k; // stride null: the kernel size, as PyTorch
        long p = Arg(layer, "padding");
        long d = max ? Arg(layer, "dilation") : 1;
        bool ceil = layer.Arg("ceilMode")?.Text == "true";
        if (k <= 0) throw Invalid(layer, $"kernelSize must be positive, got {k}", "kernelSize");
        if (s <= 0) throw Invalid(layer, $"stride must be positive, got {s}", "stride");
        if (d <= 0) throw Invalid(layer, $"dilation must be positive, got {d}", "dilation");
        if (p < 0 || p > k / 2) throw Invalid(layer, $"padding must be between 0 and half the kernel size ({k / 2}), got {p}", "padding");

        RequireRank3(layer, step, input, from);
        return [input[0], Window(layer, step, input, from, input[1], k, s, p, d, ceil), Window(layer, step, input, from, input[2], k, s, p, d, ceil)];
    }

    private static long[] Adaptive(LayerSpec layer, ForwardStep step, long[] input, string from)
    {
        RequirePositive(layer, "outputSize");
        RequireRank3(layer, step, input, from);
        return [input[0], Arg(layer, "outputSize"), Arg(layer, "outputSize")];
    }

    /// <summary>Elementwise functionals keep the shape; <c>Functional.AdaptiveAvgPool2d(x, n)</c> pools to n × n.</summary>
    private static long[] Functional(ForwardStep step, long[] input, string from)
    {
        if (step.Target != "AdaptiveAvgPool2d") return input;
        const string name = "Functional.AdaptiveAvgPool2d";
        if (step.Integer <= 0)
        {
            throw new ShapeException(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerArgument, step.Location, name, "AdaptiveAvgPool2d",
                $"outputSize must be positive, got {step.Integer}"));
        }

        if (input.Length != 3) throw Mismatch(name, "AdaptiveAvgPool2d", "a [channels, height, width] input", Format(input), from, step.Location);
        return [input[0], step.Integer, step.Integer];
    }

    private static long[] Flatten(ForwardStep step, string name, string kind, long startDim, long[] input, string from)
    {
        // startDim counts the batch dimension, as in PyTorch; the per-sample shape starts at dimension 1.
        long start = startDim < 0 ? startDim + input.Length + 1 : startDim;
        if (start < 1 || start > input.Length)
        {
            throw Mismatch(name, kind, $"a start dimension between 1 and {input.Length}", $"{input.Length} dimensions, start dimension {startDim}", from, step.Location);
        }

        var output = new List<long>();
        for (int i = 0; i < start - 1; i++) output.Add(input[i]);
        long product = 1;
        for (long i = start - 1; i < input.Length; i++) product *= input[i]; // no overflow: every shape so far has at most 2³¹−1 elements
        output.Add(product);
        return output.ToArray();
    }

    private static long[] Add(ForwardStep step, long[] left, long[] right, string leftFrom, string rightFrom)
    {
        if (Format(left) != Format(right))
        {
            throw Mismatch(step.Target, "Add", $"two inputs of one shape, {Format(left)} ({leftFrom})", Format(right), rightFrom, step.Location);
        }

        return left;
    }

    private static void CheckSize(string name, string kind, long[] shape, LocationInfo? location)
    {
        long count = 1;
        foreach (long dim in shape)
        {
            if (dim <= 0 || dim > int.MaxValue || count > int.MaxValue / dim)
            {
                throw new ShapeException(DiagnosticInfo.Create(DiagnosticDescriptors.ShapeMismatch, location, name, kind,
                    "an output of 1 to 2³¹−1 elements", Format(shape), "the output shape"));
            }

            count *= dim;
        }
    }

    // ---- fusions ----

    private static readonly Dictionary<string, string> FuseKindOfModule = new(StringComparer.Ordinal)
    {
        ["Conv2d"] = "Conv",
        ["BatchNorm2d"] = "BN",
        ["Linear"] = "Linear",
        ["ReLU"] = "ReLU",
        ["ReLU6"] = "ReLU6",
    };

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
                    for (int j = 0; j < pattern.Kinds.Count; j++) names.Add(model.Forward[i + j].Target);
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
            if (step.Op != ForwardOp.Layer || model.Layer(step.Target) is not LayerSpec layer) return false;
            if (!FuseKindOfModule.TryGetValue(layer.Kind, out string? kind) || kind != pattern.Kinds[j]) return false;
            // Step k writes value k + 1: each later step must read the previous one's output, its only consumer.
            if (j > 0 && (step.Inputs[0] != first + j || consumers[first + j] != 1)) return false;
        }

        return true;
    }

    // ---- text ----

    private static string Describe(ModelSpec model, ForwardStep step)
    {
        if (step.Op == ForwardOp.Flatten) return $"Flatten(startDim: {step.Integer})";
        if (step.Op != ForwardOp.Layer || model.Layer(step.Target) is not LayerSpec layer) return step.Target;
        var text = new StringBuilder(layer.Kind).Append('(');
        for (int i = 0; i < layer.Args.Count; i++)
        {
            if (i > 0) text.Append(", ");
            text.Append(layer.Args[i].Name).Append(": ").Append(layer.Args[i].Text);
        }

        return text.Append(')').ToString();
    }

    public static string Format(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

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
