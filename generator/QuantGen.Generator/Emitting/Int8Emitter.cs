using System.CodeDom.Compiler;
using System.Collections.Generic;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;
using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Emitting;

/// <summary>
/// Writes the nested <c>Int8</c> class from an <see cref="Int8Program"/>: what differs per model. The runtime base
/// <c>QuantGen.Compiled.Int8Pass&lt;TPass&gt;</c> holds the rest (the <c>Forward</c> overloads, the arena,
/// <c>MaxThreads</c> and <c>Fork</c>). Here: the arena offsets as constants, one field per compiled layer (built and
/// checked in the constructor), <c>Run</c> as a list of block and step calls over a pass of up to
/// <see cref="Int8Program.MaxBatch"/> samples, one private method per block, and one per step with a comment naming
/// its source layers, their fusion, its shapes and their layout (quint8 values are channels-last, NHWC). Each step's
/// code comes from its lowering.
/// </summary>
internal sealed class Int8Emitter(ModelPlan plan, Int8Program program, string[] names, IndentedTextWriter writer)
{
    private const string Compiled = "global::QuantGen.Compiled.";

    private readonly BlockMethods blocks = BlockMethods.For(plan, program, names);

    private ModelSpec Model => plan.Model;

    public void Write(string generatedCode, bool skipLocalsInit)
    {
        string model = TypeNames.Global(Model);
        writer.WriteLine("/// <summary>");
        writer.WriteLine($"/// {Model.ClassName}'s int8 forward pass, generated: the layers eager int8 runs, in order, on one");
        writer.WriteLine("/// arena of fixed offsets, with every shape a constant and every quint8 value channels-last (NHWC), on the fast");
        writer.WriteLine("/// int8 kernels; equal to the converted model's <c>Forward</c> bit for bit. Build it with <see cref=\"Convert\"/> or");
        writer.WriteLine($"/// <see cref=\"From\"/>. A fork costs its own arena ({Bytes((long)program.ArenaLength * program.MaxBatch)} bytes){ScratchCost()}");
        writer.WriteLine("/// and the scratch of its convolutions and linear layers.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine(generatedCode);
        if (skipLocalsInit) writer.WriteLine("[global::System.Runtime.CompilerServices.SkipLocalsInit]");
        writer.WriteLine($"public sealed class Int8 : {Compiled}Int8Pass<Int8>");
        writer.WriteLine("{");
        writer.Indent++;

        WriteArena();
        WriteFields();
        WriteConstructor(model);
        WriteFork();
        WriteRun();
        foreach (BlockMethods.Block block in blocks.All) WriteBlock(block);
        foreach (Int8Step step in program.Steps)
        {
            if (step.Lowering.RuntimeType is not null) WriteStep(step);
        }

        writer.Indent--;
        writer.WriteLine("}");
    }

    private StepText Text(Int8Step step) => new(plan, program, names, step.Step);

    private void WriteArena()
    {
        writer.WriteLine("/// <summary>");
        writer.WriteLine("/// Byte offsets of each quint8 value in the arena, fixed at compile time: a buffer is alive from the step that");
        writer.WriteLine($"/// writes it to the last that reads it; first fit, {ArenaPlanner.Alignment}-byte aligned. Aliases share their source's bytes.");
        writer.WriteLine("/// Offsets and lengths are per sample: a pass of n samples multiplies both by n (the layout scales).");
        writer.WriteLine("/// </summary>");
        writer.WriteLine("private static class Arena");
        writer.WriteLine("{");
        writer.Indent++;
        for (int v = 1; v < program.Storage.Count; v++)
        {
            int root = program.Storage[v];
            if (root < 0) continue;
            string name = names[v - 1];
            if (root == v)
            {
                ArenaSlot slot = Slot(v);
                writer.WriteLine($"public const int {name} = {slot.Offset}; // {Shape(plan.Steps[v - 1].OutputShape)}, {slot.Length} bytes, alive from '{plan.Steps[slot.First].Name}' to '{plan.Steps[slot.Last].Name}'");
            }
            else
            {
                string note = program.Steps[v - 1].Lowering is AliasLowering alias ? alias.Note : "";
                writer.WriteLine($"public const int {name} = {names[root - 1]}; // an alias: {note}");
            }
        }

        writer.WriteLine($"public const int Length = {program.ArenaLength};");
        writer.WriteLine($"public const int MaxBatch = {program.MaxBatch}; // samples a pass runs: the arena holds Length × MaxBatch bytes");
        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
    }

    private void WriteFields()
    {
        writer.WriteLine($"private static readonly {Compiled}Int8PassLayout Layout = new(InputLength, OutputLength, Arena.Length, Arena.MaxBatch, " +
            $"ScratchLength: {program.ScratchLength}, InputShape: \"{Shape(Model.InputShape)}\", OutputShape: \"{Shape(plan.OutputShape)}\");");
        writer.WriteLineNoTabs(string.Empty);
        foreach (Int8Step step in program.Steps)
        {
            if (step.Lowering.RuntimeType is string type) writer.WriteLine($"private readonly {Compiled}{type} {Text(step).Field};");
        }

        writer.WriteLineNoTabs(string.Empty);
    }

    private void WriteConstructor(string model)
    {
        writer.WriteLine($"private Int8({model} model) : base(Layout)");
        writer.WriteLine("{");
        writer.Indent++;
        foreach (Int8Step step in program.Steps)
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

        writer.WriteLine("/// <summary>");
        writer.WriteLine($"/// The int8 forward pass of a converted {Model.ClassName}: by <see cref=\"Convert\"/>, by");
        writer.WriteLine("/// <c>EagerQuantization.Convert</c>, or loaded with <c>QgmFile.Load</c>. Weights, int32 biases and qparams are");
        writer.WriteLine("/// taken from it now; later changes to the model do not reach this instance.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine("/// <exception cref=\"global::QuantGen.Quantization.QuantizationException\">The model is not converted, or a layer");
        writer.WriteLine("/// differs from what this code was generated for (fused otherwise than [Fuse] says, other shapes); names its path.</exception>");
        writer.WriteLine($"public static Int8 From({model} converted)");
        writer.WriteLine("{");
        writer.Indent++;
        writer.WriteLine("global::System.ArgumentNullException.ThrowIfNull(converted);");
        writer.WriteLine("return new Int8(converted);");
        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
    }

    /// <summary>A fork: every layer's <c>Fork</c> (the packing shared, the scratch new); the base makes a new arena.</summary>
    private void WriteFork()
    {
        writer.WriteLine("private Int8(Int8 source) : base(Layout)");
        writer.WriteLine("{");
        writer.Indent++;
        foreach (Int8Step step in program.Steps)
        {
            if (step.Lowering.RuntimeType is null) continue;
            string field = Text(step).Field;
            writer.WriteLine($"{field} = source.{field}.Fork();");
        }

        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
        writer.WriteLine("protected override Int8 CreateFork() => new(this);");
        writer.WriteLineNoTabs(string.Empty);
    }

    private string ScratchCost() =>
        program.ScratchLength == 0 ? "" : $", the float islands' scratch ({Bytes(4L * program.ScratchLength * program.MaxBatch)} bytes)";

    private static string Bytes(long count) => count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private void WriteRun()
    {
        writer.WriteLine("/// <summary>One pass of <paramref name=\"n\"/> samples (at most <c>Arena.MaxBatch</c>): every step runs them all at once.</summary>");
        writer.WriteLine("protected override void Run(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int n)");
        writer.WriteLine("{");
        writer.Indent++;
        for (int i = 0; i < program.Steps.Count; i++)
        {
            if (blocks.Of(i) is { } block)
            {
                if (block.First == i) writer.WriteLine($"{block.Method}(n); // {Describe(block.Spec)}");
                continue;
            }

            WriteCall(program.Steps[i]);
        }

        writer.Indent--;
        writer.WriteLine("}");
    }

    /// <summary>A step as a line of <c>Run</c> or of its block's method; an alias as a comment.</summary>
    private void WriteCall(Int8Step step)
    {
        if (step.Lowering is AliasLowering alias) writer.WriteLine($"// {plan.Steps[step.Step].Name}: {alias.Note}.");
        else writer.WriteLine($"{names[step.Step]}({Signature(step.Lowering).Arguments});");
    }

    /// <summary>
    /// What a step method takes and what <c>Run</c> passes it: the caller's input for a quantize, the caller's output
    /// for the final dequantize, and the samples in the pass.
    /// </summary>
    private static (string Parameters, string Arguments) Signature(Int8Lowering lowering) =>
        lowering.ReadsCallerInput ? ("global::System.ReadOnlySpan<float> input, int n", "input, n")
        : lowering.Storage == StepStorage.CallerOutput ? ("global::System.Span<float> output, int n", "output, n")
        : ("int n", "n");

    /// <summary>One method per block (an <c>InvertedResidual</c>, a <c>ConvBNReLU</c>), calling its steps in order.</summary>
    private void WriteBlock(BlockMethods.Block block)
    {
        writer.WriteLineNoTabs(string.Empty);
        writer.WriteLine($"// '{block.Spec.Path}': {Describe(block.Spec)}{StepText.At(block.Spec.Location)}.");
        writer.WriteLine($"private void {block.Method}(int n)");
        writer.WriteLine("{");
        writer.Indent++;
        for (int i = block.First; i <= block.Last; i++) WriteCall(program.Steps[i]);
        writer.Indent--;
        writer.WriteLine("}");
    }

    private static string Describe(BlockSpec block) => $"{block.ClassName}({block.Arguments})";

    private void WriteStep(Int8Step step)
    {
        StepText text = Text(step);
        PlannedStep shapes = plan.Steps[step.Step];
        writer.WriteLineNoTabs(string.Empty);
        writer.WriteLine($"// {step.Lowering.Describe(text)}");
        writer.WriteLine($"// {Shape(shapes.InputShape)} → {Shape(shapes.OutputShape)}{Layouts(step.Lowering, shapes)}{text.Where}.");
        writer.WriteLine($"private void {text.Name}({Signature(step.Lowering).Parameters}) => {step.Lowering.Call(text)};");
    }

    // ---- text ----

    private ArenaSlot Slot(int value)
    {
        foreach (ArenaSlot slot in program.Slots)
        {
            if (slot.Value == value) return slot;
        }

        return new ArenaSlot(value, 0, 0, 0, 0);
    }

    /// <summary>The layout a step reads and writes, where it matters: quint8 values of several channels and pixels are NHWC.</summary>
    private static string Layouts(Int8Lowering lowering, PlannedStep shapes)
    {
        string input = lowering.ReadsCallerInput ? "float NCHW" : StepText.IsChannelsLast(shapes.InputShape) ? "NHWC" : "";
        string output = lowering.Storage == StepStorage.CallerOutput ? "float NCHW" : StepText.IsChannelsLast(shapes.OutputShape) ? "NHWC" : "";
        if (input.Length == 0 && output.Length == 0) return "";
        if (input == output) return $", {input}";
        return $", {(input.Length > 0 ? input : "flat")} → {(output.Length > 0 ? output : "flat")}";
    }

    private static string Shape(EquatableArray<int> shape) => "[" + string.Join(", ", shape) + "]";
}
