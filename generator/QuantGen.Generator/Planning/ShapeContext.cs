using System;
using System.Collections.Generic;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;

namespace QuantGen.Generator.Planning;

/// <summary>A shape that does not fit: the diagnostic that ends shape planning. Thrown and caught inside the planner only.</summary>
internal sealed class ShapeException(DiagnosticInfo diagnostic) : Exception
{
    public DiagnosticInfo Diagnostic { get; } = diagnostic;
}

/// <summary>
/// What a shape rule sees of one step — its arguments, its input shapes and where each came from — and the
/// diagnostics it raises, each naming the step, its kind and both numbers. Shapes have no batch dimension.
/// </summary>
internal sealed class ShapeContext(ForwardStep step, OpArgs args, LocationInfo? layerLocation, long[][] inputs, string[] provenance)
{
    public OpArgs Args { get; } = args;

    public string Name => step.Name;

    public string Kind => step.Op.Kind;

    /// <summary>How many inputs the step reads.</summary>
    public int Count => inputs.Length;

    /// <summary>The first input's shape.</summary>
    public long[] Input => inputs[0];

    public long[] InputAt(int index) => inputs[index];

    /// <summary>Where the first input's shape came from, for messages: <c>shape [8, 14, 14] after 'pool1'</c>.</summary>
    public string From => provenance[0];

    public string FromAt(int index) => provenance[index];

    public ShapeException Mismatch(string expected, string actual) => MismatchAt(expected, actual, From, step.Location);

    /// <summary>A mismatch of the input whose shape came <paramref name="from"/> there.</summary>
    public ShapeException Mismatch(string expected, string actual, string from) => MismatchAt(expected, actual, from, step.Location);

    public ShapeException MismatchAt(string expected, string actual, string from, LocationInfo? location) =>
        new(DiagnosticInfo.Create(DiagnosticDescriptors.ShapeMismatch, location, Name, Kind, expected, actual, from));

    /// <summary>A mismatch at a count argument the user wrote: the inferred count is what a code fix writes there.</summary>
    public ShapeException ArgumentMismatch(string argument, string expected, long actual)
    {
        ShapeException mismatch = MismatchAt(expected, actual.ToString(), From, ArgLocation(argument));
        if (Args.Location(argument) is null) return mismatch;
        return new ShapeException(mismatch.Diagnostic with { FixValue = actual.ToString() });
    }

    public ShapeException Invalid(string why, string argument) =>
        new(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerArgument, ArgLocation(argument), Name, Kind, why));

    private LocationInfo? ArgLocation(string argument) => Args.Location(argument) ?? layerLocation ?? step.Location;

    public void RequireRank3() => RequireRank(3);

    /// <summary>A [channels, height, width] input for rank 3, a [channels, length] one for rank 2.</summary>
    public void RequireRank(int rank)
    {
        if (Input.Length != rank) throw Mismatch(rank == 2 ? "a [channels, length] input" : "a [channels, height, width] input", Format(Input));
    }

    public void RequirePositive(params string[] names)
    {
        foreach (string name in names)
        {
            if (Args.Int(name) <= 0) throw Invalid($"{name} must be positive, got {Args.Int(name)}", name);
        }
    }

    /// <summary>The input's channel count must be the argument's (BatchNorm2d's numFeatures, Conv2d's inChannels).</summary>
    public void RequireChannels(string argument, long channels) => RequireChannels(argument, channels, rank: 3);

    /// <summary>As <see cref="RequireChannels(string, long)"/>, for an input of <paramref name="rank"/> dimensions (2: [channels, length]).</summary>
    public void RequireChannels(string argument, long channels, int rank)
    {
        RequireRank(rank);
        if (Input[0] != channels) throw ArgumentMismatch(argument, $"{channels} input channels", Input[0]);
    }

    /// <summary>PyTorch's output length of a sliding window (conv and pooling), with its ceil-mode rule.</summary>
    public long Window(long size, long kernel, long stride, long padding, long dilation, bool ceil)
    {
        long span = dilation * (kernel - 1) + 1;
        long room = size + 2 * padding - span;
        if (room < 0)
        {
            string least = Input.Length == 2 ? $"a length of at least {span - 2 * padding}" : $"an input of at least {span - 2 * padding} × {span - 2 * padding}";
            string actual = Input.Length == 2 ? $"length {Input[1]}" : Input.Length == 3 ? $"{Input[1]} × {Input[2]}" : Format(Input);
            throw Mismatch($"{least} (kernel {kernel}, padding {padding}, dilation {dilation})", actual);
        }

        long output = (ceil ? (room + stride - 1) / stride : room / stride) + 1;
        // In ceil mode the last window must start inside the input or its left padding.
        if (ceil && (output - 1) * stride >= size + padding) output--;
        return output;
    }

    public static string Format(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
