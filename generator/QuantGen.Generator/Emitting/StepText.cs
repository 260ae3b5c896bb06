using System.IO;
using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Emitting;

/// <summary>
/// The names and expressions a lowering writes its step's code with: its field, its module path as a literal, the
/// qparams and arena bytes of its inputs, its output bytes, and its shapes and their layouts.
/// </summary>
internal sealed class StepText(ModelPlan plan, PassProgram program, string[] names, int step)
{
    // Set for the float step inside a kept layer's step: its field, and the float spans it reads and writes.
    private string? fieldOverride, writeOverride;
    private string[]? readOverrides;

    /// <summary>
    /// The same step as the float step inside a layer kept in float sees it: <paramref name="field"/> for its field, and
    /// float spans for what it reads and writes.
    /// </summary>
    public StepText Inner(string field, string[] reads, string write) =>
        new(plan, program, names, step) { fieldOverride = field, readOverrides = reads, writeOverride = write };

    /// <summary>The generated name of input <paramref name="index"/>'s value (its arena and shape constants).</summary>
    public string InputName(int index) => names[program.Steps[step].Inputs[index] - 1];

    /// <summary>The floats a layer kept in float left for input <paramref name="index"/> (through pass-throughs), for a pass of <c>n</c> samples.</summary>
    public string ReadFloats(int index) => $"Floats(Arena.Floats.{InputName(index)}, Shapes.{InputName(index)}Length, n)";

    /// <summary>The floats a layer kept in float writes, for a pass of <c>n</c> samples.</summary>
    public string WriteFloats => $"Floats(Arena.Floats.{Name}, Shapes.{Name}Length, n)";

    /// <summary>The step's method and constant name (<c>Conv1</c>).</summary>
    public string Name => names[step];

    /// <summary>The field holding the step's compiled layer (<c>conv1</c>).</summary>
    public string Field => fieldOverride ?? StepNames.Field(names[step]);

    /// <summary>The module path as a C# literal; <c>""</c> for a functional call.</summary>
    public string Path => Literal(plan.Model.Forward[step].Layer);

    public bool IsFunctional => !plan.Model.Forward[step].IsModule;

    /// <summary><c>'conv1' (Conv2d)</c>: the step as comments name it.</summary>
    public string Subject => $"'{plan.Steps[step].Name}' ({plan.Model.Forward[step].Op.Kind})";

    public string Kind => plan.Model.Forward[step].Op.Kind;

    public EquatableArray<int> InputShape => plan.Steps[step].InputShape;

    public EquatableArray<int> OutputShape => plan.Steps[step].OutputShape;

    /// <summary>The qparams of the step's input <paramref name="index"/>: its producer's output, through aliases.</summary>
    public string InputQParams(int index = 0) => QParams(program.Steps[step].Inputs[index]);

    private string QParams(int value)
    {
        ProgramStep producer = program.Steps[value - 1];
        return producer.Lowering.Storage == StepStorage.Alias ? QParams(producer.Inputs[0]) : StepNames.Field(names[value - 1]) + ".Output";
    }

    /// <summary>
    /// The arena bytes (or floats) of input <paramref name="index"/> for a pass of <c>n</c> samples; in a float pass the
    /// model input, and its aliases, are the caller's <c>input</c>.
    /// </summary>
    public string Read(int index = 0)
    {
        if (readOverrides is not null) return readOverrides[index];
        int value = program.Steps[step].Inputs[index];
        if (program.Kind != PassKind.Int8 && program.Storage[value] < 0) return "input";
        string name = names[value - 1];
        return $"{Accessor}({ArenaClass}.{name}, Shapes.{name}Length, n)";
    }

    /// <summary>The arena bytes (or floats) the step writes for a pass of <c>n</c> samples.</summary>
    public string Write => writeOverride ?? $"{Accessor}({ArenaClass}.{Name}, Shapes.{Name}Length, n)";

    /// <summary>The most samples the step's layer runs at once, for its scratch: a step of the head runs one.</summary>
    public string MaxBatch => InHead ? "1" : "Arena.MaxBatch";

    private bool InHead => program.Head is { } head && step < head.Steps;

    /// <summary>Where the step's values' offsets are: a step of the pass's head (<see cref="PassHead"/>) runs one sample on <c>Arena.PerSample</c>'s.</summary>
    private string ArenaClass => InHead ? "Arena.PerSample" : "Arena";

    /// <summary>The base's view of the arena: <c>Int8Pass.Bytes</c> or <c>FloatPass.Values</c>.</summary>
    private string Accessor => program.Kind == PassKind.Int8 ? "Bytes" : "Values";

    /// <summary><c>; SmallCnn.cs:13</c>: where the step's layer (or call) is written.</summary>
    public string Where
    {
        get
        {
            ForwardStep forward = plan.Model.Forward[step];
            return At(forward.IsModule ? plan.Model.Layer(forward.Layer)?.Location : forward.Location);
        }
    }

    /// <summary><c>; SmallCnn.cs:13</c> for a location, empty for none: how comments of generated code say where.</summary>
    public static string At(LocationInfo? location) =>
        location is null ? "" : $"; {System.IO.Path.GetFileName(location.FilePath)}:{location.LineSpan.Start.Line + 1}";

    /// <summary><c>channels: 8, pixels: 196</c>: a sample's channels and pixels, for steps between NCHW floats and NHWC bytes.</summary>
    public static string Layout(EquatableArray<int> shape)
    {
        (int channels, int pixels) = Int8Planner.ChannelsAndPixels(shape);
        return $"channels: {channels}, pixels: {pixels}";
    }

    /// <summary>True for a shape stored channels-last whose bytes differ from NCHW order: several channels of several pixels.</summary>
    public static bool IsChannelsLast(EquatableArray<int> shape)
    {
        (int channels, int pixels) = Int8Planner.ChannelsAndPixels(shape);
        return shape.Count > 1 && channels > 1 && pixels > 1;
    }

    public static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);

    public static string Bool(bool value) => value ? "true" : "false";
}
