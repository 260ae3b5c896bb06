using System.CodeDom.Compiler;
using System.Collections.Generic;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Emitting;

/// <summary>
/// Writes one nested pass class (<c>Int8</c>, <c>Float</c>, <c>Dynamic</c>) from a <see cref="PassProgram"/>: what
/// differs per model. The runtime base (<c>QuantGen.Compiled.Int8Pass&lt;TPass&gt;</c>,
/// <c>FloatPass&lt;TPass&gt;</c>) holds the rest (the <c>Forward</c> overloads, the arena, <c>MaxThreads</c> and
/// <c>Fork</c>). Here: the arena offsets as constants, one field per compiled layer (built and checked in the
/// constructor), <c>Run</c> as a list of block and step calls over a pass of up to <see cref="PassProgram.MaxBatch"/>
/// samples, one private method per block, and one per step with a comment naming its source layers, their fusion,
/// its shapes and their layout. Each step's code comes from its lowering; each kind of pass says what is its own.
/// </summary>
internal abstract class PassEmitter(ModelPlan plan, PassProgram program, string[] names, IndentedTextWriter writer)
{
    protected const string Compiled = "global::QuantGen.Compiled.";

    private readonly BlockMethods blocks = BlockMethods.For(plan, program, names);

    protected ModelPlan Plan => plan;

    protected PassProgram Program => program;

    protected IndentedTextWriter Writer => writer;

    protected ModelSpec Model => plan.Model;

    /// <summary>The nested class's name.</summary>
    protected abstract string ClassName { get; }

    /// <summary>The runtime base class, after <c>global::QuantGen.Compiled.</c>.</summary>
    protected abstract string BaseClass { get; }

    /// <summary>What an arena element is, for comments: <c>bytes</c> or <c>floats</c>.</summary>
    protected abstract string Unit { get; }

    /// <summary>The lines of the class's summary, without the <c>///</c>.</summary>
    protected abstract IEnumerable<string> Summary();

    /// <summary>The lines of the arena's summary, without the <c>///</c>.</summary>
    protected abstract IEnumerable<string> ArenaSummary();

    /// <summary>The static <c>Layout</c> field's initializer, after <c>new</c>.</summary>
    protected abstract string Layout();

    /// <summary>The lines of <c>From</c>'s documentation, without the <c>///</c>, and its parameter's name.</summary>
    protected abstract (IEnumerable<string> Lines, string Parameter) FromDocs();

    /// <summary>When <c>From</c> throws, for its <c>exception</c> tag.</summary>
    protected abstract string FromThrows { get; }

    /// <summary>The layout a step reads and writes, where it matters, for its comment (<c>, NHWC</c>).</summary>
    protected abstract string Layouts(ProgramStep step, PlannedStep shapes);

    /// <summary>Statements <c>Run</c> ends with (a float pass copies its output into the caller's span).</summary>
    protected virtual IEnumerable<string> AfterSteps() => [];

    public void Write(string generatedCode, bool skipLocalsInit)
    {
        string model = TypeNames.Global(Model);
        WriteDocs(Summary());
        writer.WriteLine(generatedCode);
        if (skipLocalsInit) writer.WriteLine("[global::System.Runtime.CompilerServices.SkipLocalsInit]");
        writer.WriteLine($"public sealed class {ClassName} : {Compiled}{BaseClass}<{ClassName}>");
        writer.WriteLine("{");
        writer.Indent++;

        WriteArena();
        WriteFields();
        WriteConstructor(model);
        WriteFork();
        WriteRun();
        foreach (BlockMethods.Block block in blocks.All) WriteBlock(block);
        foreach (ProgramStep step in program.Steps)
        {
            if (step.Lowering.RuntimeType is not null) WriteStep(step);
        }

        writer.Indent--;
        writer.WriteLine("}");
    }

    protected StepText Text(ProgramStep step) => new(plan, program, names, step.Step);

    protected static string Count(long count) => count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    protected static string Shape(EquatableArray<int> shape) => "[" + string.Join(", ", shape) + "]";

    private void WriteDocs(IEnumerable<string> lines)
    {
        writer.WriteLine("/// <summary>");
        foreach (string line in lines) writer.WriteLine("/// " + line);
        writer.WriteLine("/// </summary>");
    }

    private void WriteArena()
    {
        WriteDocs(ArenaSummary());
        writer.WriteLine("private static class Arena");
        writer.WriteLine("{");
        writer.Indent++;
        var keptFloats = new List<string>();
        WriteOffsets(program.Slots, "", keptFloats);
        if (keptFloats.Count > 0)
        {
            writer.WriteLine("/// <summary>Where the float values of layers kept in float ([KeepFloat]) begin in their values' slots, after the bytes.</summary>");
            writer.WriteLine("public static class Floats");
            writer.WriteLine("{");
            writer.Indent++;
            foreach (string line in keptFloats) writer.WriteLine(line);
            writer.Indent--;
            writer.WriteLine("}");
        }

        writer.WriteLine($"public const int Length = {program.ArenaLength};");
        writer.WriteLine($"public const int MaxBatch = {program.MaxBatch}; // samples a pass runs: the arena holds Length × MaxBatch {Unit}");
        if (program.Head is { } head) WritePerSample(head);
        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
    }

    /// <summary>The head's offsets (<see cref="PassHead"/>), for one sample, after the batch's.</summary>
    private void WritePerSample(PassHead head)
    {
        writer.WriteLine($"/// <summary>The values of the steps before '{plan.Steps[head.Steps].Name}', which run one sample at a time: offsets for one sample, after the batch's {Unit}.</summary>");
        writer.WriteLine("public static class PerSample");
        writer.WriteLine("{");
        writer.Indent++;
        writer.WriteLine($"public const int Start = Arena.Length * Arena.MaxBatch;");
        WriteOffsets(head.Slots, "Start + ", keptFloats: null, copied: head.Crossing);
        writer.WriteLine($"public const int Length = {head.Length};");
        writer.Indent--;
        writer.WriteLine("}");
    }

    /// <summary>A constant per value whose buffer is one of <paramref name="slots"/>, its offset after <paramref name="start"/>; an alias names its source's.</summary>
    private void WriteOffsets(EquatableArray<ArenaSlot> slots, string start, List<string>? keptFloats, int copied = 0)
    {
        for (int v = 1; v < program.Storage.Count; v++)
        {
            int root = program.Storage[v];
            if (root < 0 || Slot(slots, root) is not ArenaSlot slot) continue;
            string name = names[v - 1];
            if (root == v)
            {
                writer.WriteLine($"public const int {name} = {start}{slot.Offset}; // {Shape(plan.Steps[v - 1].OutputShape)}, {slot.Length} {Unit}, alive from '{plan.Steps[slot.First].Name}' to {(v == copied ? "its copy into the batch" : $"'{AliveTo(slot)}'")}");
                if (HasKeptFloats(v)) keptFloats?.Add($"public const int {name} = {slot.Offset + ArenaPlanner.KeptFloatsOffset(Int8Planner.Length(plan.Steps[v - 1].OutputShape))};");
            }
            else
            {
                writer.WriteLine($"public const int {name} = {names[root - 1]}; // an alias: {program.Steps[v - 1].Lowering.AliasNote ?? ""}");
                if (HasKeptFloats(v)) keptFloats?.Add($"public const int {name} = {names[root - 1]};");
            }
        }
    }

    /// <summary>True for a value that holds the float output of a layer kept in float, beside its bytes.</summary>
    private bool HasKeptFloats(int value) => program.KeptFloats.Count > value && program.KeptFloats[value];

    /// <summary>The step that last reads a buffer; past the last step, the copy into the caller's output.</summary>
    private string AliveTo(ArenaSlot slot) => slot.Last < plan.Steps.Count ? plan.Steps[slot.Last].Name : "the output";

    private void WriteFields()
    {
        writer.WriteLine($"private static readonly {Compiled}{Layout()};");
        writer.WriteLineNoTabs(string.Empty);
        foreach (ProgramStep step in program.Steps)
        {
            if (step.Lowering.RuntimeType is string type) writer.WriteLine($"private readonly {Compiled}{type} {Text(step).Field};");
        }

        writer.WriteLineNoTabs(string.Empty);
    }

    private void WriteConstructor(string model)
    {
        writer.WriteLine($"private {ClassName}({model} model) : base(Layout)");
        writer.WriteLine("{");
        writer.Indent++;
        foreach (ProgramStep step in program.Steps)
        {
            StepText text = Text(step);
            foreach (string check in step.Lowering.Checks(text)) writer.WriteLine(check);
            if (step.Lowering.RuntimeType is null) continue;

            string[] lines = step.Lowering.Create(text).Split('\n');
            writer.WriteLine($"{text.Field} = {Compiled}{lines[0]}{(lines.Length == 1 ? ";" : "")}");
            writer.Indent++;
            for (int i = 1; i < lines.Length; i++) writer.WriteLine(lines[i].Substring(4) + (i == lines.Length - 1 ? ";" : ""));
            writer.Indent--;
        }

        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);

        (IEnumerable<string> docs, string parameter) = FromDocs();
        WriteDocs(docs);
        writer.WriteLine($"/// <exception cref=\"global::QuantGen.Quantization.QuantizationException\">{FromThrows}");
        writer.WriteLine("/// differs from what this code was generated for (fused otherwise than [Fuse] says, other shapes); names its path.</exception>");
        writer.WriteLine($"public static {ClassName} From({model} {parameter})");
        writer.WriteLine("{");
        writer.Indent++;
        writer.WriteLine($"global::System.ArgumentNullException.ThrowIfNull({parameter});");
        writer.WriteLine($"return new {ClassName}({parameter});");
        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
    }

    /// <summary>A fork: every layer's <c>Fork</c> (the packing shared, the scratch new); the base makes a new arena.</summary>
    private void WriteFork()
    {
        writer.WriteLine($"private {ClassName}({ClassName} source) : base(Layout)");
        writer.WriteLine("{");
        writer.Indent++;
        foreach (ProgramStep step in program.Steps)
        {
            if (step.Lowering.RuntimeType is null) continue;
            string field = Text(step).Field;
            writer.WriteLine($"{field} = source.{field}.Fork();");
        }

        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
        writer.WriteLine($"protected override {ClassName} CreateFork() => new(this);");
        writer.WriteLineNoTabs(string.Empty);
    }

    /// <summary>
    /// <c>Run</c>: every step over the pass's samples; with a head (<see cref="PassHead"/>), first the head sample by
    /// sample (<c>RunPerSample</c>), each one's crossing value copied into its place in the batch, then the rest.
    /// </summary>
    private void WriteRun()
    {
        PassHead? head = program.Head;
        string? first = head is null ? null : plan.Steps[head.Steps].Name;
        writer.WriteLine(first is null
            ? "/// <summary>One pass of <paramref name=\"n\"/> samples (at most <c>Arena.MaxBatch</c>): every step runs them all at once.</summary>"
            : $"/// <summary>One pass of <paramref name=\"n\"/> samples (at most <c>Arena.MaxBatch</c>): the steps before '{first}' one sample at a time, the rest all at once.</summary>");
        writer.WriteLine("protected override void Run(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int n)");
        writer.WriteLine("{");
        writer.Indent++;
        if (head is not null)
        {
            string crossing = names[head.Crossing - 1];
            writer.WriteLine("for (int sample = 0; sample < n; sample++)");
            writer.WriteLine("{");
            writer.Indent++;
            writer.WriteLine("RunPerSample(input.Slice(sample * InputLength, InputLength));");
            writer.WriteLine($"Bytes(Arena.PerSample.{crossing}, Shapes.{crossing}Length, 1).CopyTo(Bytes(Arena.{crossing}, Shapes.{crossing}Length, n).Slice(sample * Shapes.{crossing}Length));");
            writer.Indent--;
            writer.WriteLine("}");
            writer.WriteLineNoTabs(string.Empty);
        }

        WriteCalls(head?.Steps ?? 0, program.Steps.Count);
        foreach (string line in AfterSteps()) writer.WriteLine(line);
        writer.Indent--;
        writer.WriteLine("}");
        if (head is null) return;

        writer.WriteLineNoTabs(string.Empty);
        writer.WriteLine($"/// <summary>The steps before '{first}', for one sample: their activations stay in cache, where a batch's would not.</summary>");
        writer.WriteLine("private void RunPerSample(global::System.ReadOnlySpan<float> input)");
        writer.WriteLine("{");
        writer.Indent++;
        writer.WriteLine("const int n = 1;");
        WriteCalls(0, head.Steps);
        writer.Indent--;
        writer.WriteLine("}");
    }

    /// <summary>The calls of steps <paramref name="start"/>… before <paramref name="end"/>: a block's method once, at its first step.</summary>
    private void WriteCalls(int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            if (blocks.Of(i) is { } block)
            {
                if (block.First == i) writer.WriteLine($"{block.Method}({Signature(block.First, block.Last).Arguments}); // {Describe(block.Spec)}");
                continue;
            }

            WriteCall(program.Steps[i]);
        }
    }

    /// <summary>A step as a line of <c>Run</c> or of its block's method; an alias as a comment.</summary>
    private void WriteCall(ProgramStep step)
    {
        if (step.Lowering.AliasNote is string note) writer.WriteLine($"// {plan.Steps[step.Step].Name}: {note}.");
        else writer.WriteLine($"{names[step.Step]}({Signature(step.Step, step.Step).Arguments});");
    }

    /// <summary>True for a step that reads the caller's float input: a QuantStub, or a float step reading the model input.</summary>
    private bool ReadsCallerInput(ProgramStep step)
    {
        if (step.Lowering.ReadsCallerInput) return true;
        if (program.Kind == PassKind.Int8) return false;
        foreach (int input in step.Inputs)
        {
            if (program.Storage[input] < 0) return true;
        }

        return false;
    }

    /// <summary>
    /// What a method running steps <paramref name="first"/> to <paramref name="last"/> takes and what its caller passes:
    /// the caller's input for a step that reads it, the caller's output for the final dequantize, and the samples in the pass.
    /// </summary>
    private (string Parameters, string Arguments) Signature(int first, int last)
    {
        bool input = false, output = false;
        for (int i = first; i <= last; i++)
        {
            ProgramStep step = program.Steps[i];
            if (step.Lowering.AliasNote is not null) continue;
            input |= ReadsCallerInput(step);
            output |= step.Lowering.Storage == StepStorage.CallerOutput;
        }

        var parameters = new List<string>();
        var arguments = new List<string>();
        if (input) (parameters, arguments) = (["global::System.ReadOnlySpan<float> input"], ["input"]);
        if (output)
        {
            parameters.Add("global::System.Span<float> output");
            arguments.Add("output");
        }

        parameters.Add("int n");
        arguments.Add("n");
        return (string.Join(", ", parameters), string.Join(", ", arguments));
    }

    /// <summary>One method per block (an <c>InvertedResidual</c>, a <c>ConvBNReLU</c>), calling its steps in order.</summary>
    private void WriteBlock(BlockMethods.Block block)
    {
        writer.WriteLineNoTabs(string.Empty);
        writer.WriteLine($"// '{block.Spec.Path}': {Describe(block.Spec)}{StepText.At(block.Spec.Location)}.");
        writer.WriteLine($"private void {block.Method}({Signature(block.First, block.Last).Parameters})");
        writer.WriteLine("{");
        writer.Indent++;
        for (int i = block.First; i <= block.Last; i++) WriteCall(program.Steps[i]);
        writer.Indent--;
        writer.WriteLine("}");
    }

    private static string Describe(BlockSpec block) => $"{block.ClassName}({block.Arguments})";

    private void WriteStep(ProgramStep step)
    {
        StepText text = Text(step);
        PlannedStep shapes = plan.Steps[step.Step];
        writer.WriteLineNoTabs(string.Empty);
        writer.WriteLine($"// {step.Lowering.Describe(text)}");
        writer.WriteLine($"// {Shape(shapes.InputShape)} → {Shape(shapes.OutputShape)}{Layouts(step, shapes)}{text.Where}.");
        string[] call = step.Lowering.Call(text).Split('\n');
        if (call.Length == 1)
        {
            writer.WriteLine($"private void {text.Name}({Signature(step.Step, step.Step).Parameters}) => {call[0]};");
            return;
        }

        // A step of several statements (a layer kept in float): a block body, each line a statement.
        writer.WriteLine($"private void {text.Name}({Signature(step.Step, step.Step).Parameters})");
        writer.WriteLine("{");
        writer.Indent++;
        foreach (string line in call) writer.WriteLine(line);
        writer.Indent--;
        writer.WriteLine("}");
    }

    private static ArenaSlot? Slot(EquatableArray<ArenaSlot> slots, int value)
    {
        foreach (ArenaSlot slot in slots)
        {
            if (slot.Value == value) return slot;
        }

        return null;
    }
}
