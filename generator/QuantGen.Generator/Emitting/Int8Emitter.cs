using System.CodeDom.Compiler;
using System.Collections.Generic;
using System.IO;
using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator.Model;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Emitting;

/// <summary>
/// Writes the nested <c>Int8</c> class from an <see cref="Int8Program"/>: the arena offsets as constants, one
/// field per compiled layer (built and checked in the constructor), <c>Run</c> as a list of block and step calls
/// over a pass of up to <see cref="Int8Program.MaxBatch"/> samples, one private method per block, and one per
/// step with a comment naming its source layers, their fusion, its shapes and their layout (quint8 values are
/// channels-last, NHWC).
/// </summary>
internal sealed class Int8Emitter(ModelPlan plan, Int8Program program, string[] names, IndentedTextWriter writer)
{
    private const string Compiled = "global::QuantGen.Compiled.";
    private const string Span = "global::System.Span";
    private const string ReadOnlySpan = "global::System.ReadOnlySpan";

    private readonly BlockMethods blocks = BlockMethods.For(plan, program, names);

    private ModelSpec Model => plan.Model;

    public void Write(string generatedCode, bool skipLocalsInit)
    {
        string model = "global::" + (Model.Namespace.Length > 0 ? Model.Namespace + "." : "") + Model.ClassName;
        writer.WriteLine("/// <summary>");
        writer.WriteLine($"/// {Model.ClassName}'s int8 forward pass, generated: the layers eager int8 runs, in order, on one");
        writer.WriteLine("/// arena of fixed offsets, with every shape a constant and every quint8 value channels-last (NHWC), on the fast");
        writer.WriteLine("/// int8 kernels; equal to the converted model's <c>Forward</c> bit for bit.");
        writer.WriteLine("/// Build it with <see cref=\"Convert\"/> or <see cref=\"From\"/>. One instance runs one call at a time: for another");
        writer.WriteLine("/// thread, <see cref=\"Fork\"/> it (the weights are shared); <see cref=\"MaxThreads\"/> splits a batch over forks.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine(generatedCode);
        if (skipLocalsInit) writer.WriteLine("[global::System.Runtime.CompilerServices.SkipLocalsInit]");
        writer.WriteLine("public sealed class Int8");
        writer.WriteLine("{");
        writer.Indent++;

        WriteArena();
        WriteFields();
        WriteConstructor(model);
        WriteFork();
        WriteMaxThreads();
        WriteForward();
        foreach (BlockMethods.Block block in blocks.All) WriteBlock(block);
        for (int i = 0; i < program.Steps.Count; i++)
        {
            if (program.Steps[i].Op != Int8Op.Alias) WriteStep(program.Steps[i]);
        }

        writer.Indent--;
        writer.WriteLine("}");
    }

    private void WriteArena()
    {
        writer.WriteLine("/// <summary>");
        writer.WriteLine($"/// Byte offsets of each quint8 value in the arena, fixed at compile time: a buffer is alive from the step that");
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
                writer.WriteLine($"public const int {name} = {names[root - 1]}; // an alias: {Note(program.Steps[v - 1])}");
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
        writer.WriteLine("private readonly byte[] arena = new byte[Arena.Length * Arena.MaxBatch];");
        if (program.ScratchLength > 0)
        {
            writer.WriteLine($"private readonly float[] scratch = new float[{program.ScratchLength} * Arena.MaxBatch]; // the float islands' dequantized input and float output");
        }

        writer.WriteLine("private int maxThreads = 1;");
        writer.WriteLine($"private {Compiled}ParallelForward? parallel; // this pass and its forks, made when MaxThreads first splits a batch");

        foreach (Int8Step step in program.Steps)
        {
            if (step.Op == Int8Op.Alias) continue;
            writer.WriteLine($"private readonly {Compiled}Compiled{Type(step.Op)} {StepNames.Field(names[step.Step])};");
        }

        writer.WriteLineNoTabs(string.Empty);
    }

    private void WriteConstructor(string model)
    {
        writer.WriteLine($"private Int8({model} model)");
        writer.WriteLine("{");
        writer.Indent++;
        foreach (Int8Step step in program.Steps)
        {
            string path = Literal(step.Layer);
            string field = StepNames.Field(names[step.Step]);
            string input = step.Inputs.Count > 0 && step.Op != Int8Op.Quantize ? QParams(step.Inputs[0]) : "";
            EquatableArray<int> a = step.Args;
            string create = step.Op switch
            {
                Int8Op.Quantize => $"CompiledQuantize.Create(model, {path}, {Layout(Model.InputShape)})",
                Int8Op.Dequantize => $"CompiledDequantize.Create(model, {path}, {input}, {Layout(plan.Steps[step.Step].InputShape)})",
                Int8Op.Conv2d => $"CompiledConv2d.Create(model, {path}, {input},\n    new global::QuantGen.Kernels.ConvGeometry(Batch: Arena.MaxBatch, InChannels: {a[0]}, InHeight: {a[1]}, InWidth: {a[2]}, OutChannels: {a[3]}, " +
                    $"KernelHeight: {a[4]}, KernelWidth: {a[4]}, StrideHeight: {a[5]}, StrideWidth: {a[5]}, PadHeight: {a[6]}, PadWidth: {a[6]}, DilationHeight: {a[7]}, DilationWidth: {a[7]}, Groups: {a[8]}),\n    {Activation(step)})",
                Int8Op.Linear => $"CompiledLinear.Create(model, {path}, {input}, inFeatures: {a[0]}, outFeatures: {a[1]}, {Activation(step)}, maxBatch: Arena.MaxBatch)",
                Int8Op.MaxPool2d => $"CompiledMaxPool2d.Create(model, {path}, {input},\n    {PoolGeometry(a)})",
                Int8Op.AvgPool2d => $"CompiledAvgPool2d.Create(model, {path}, {input},\n    {PoolGeometry(a)}, countIncludePad: {Bool(a[8])})",
                Int8Op.AdaptiveAvgPool2d when step.Layer.Length == 0 => $"CompiledAdaptiveAvgPool2d.Functional({input}, planes: {a[0]}, inHeight: {a[1]}, inWidth: {a[2]}, outHeight: {a[3]}, outWidth: {a[4]})",
                Int8Op.AdaptiveAvgPool2d => $"CompiledAdaptiveAvgPool2d.Create(model, {path}, {input}, planes: {a[0]}, inHeight: {a[1]}, inWidth: {a[2]}, outHeight: {a[3]}, outWidth: {a[4]})",
                Int8Op.Clamp => $"CompiledClamp.{(step.Activation == "ReLU" ? "Relu" : "Relu6")}({input})",
                Int8Op.Add => $"CompiledAdd.Create(model, {path}, {input}, {QParams(step.Inputs[1])})",
                Int8Op.Flatten => $"CompiledFlatten.Create({input}, channels: {a[0]}, pixels: {a[1]})",
                Int8Op.LayerNorm => $"CompiledLayerNorm.Create(model, {path}, {input}, count: {a[0]}{IslandLayout(step)})",
                Int8Op.Softmax => $"CompiledSoftmax.Create(model, {path}, {input}, dim: {a[0]}, outer: {a[1]}, size: {a[2]}, inner: {a[3]}{IslandLayout(step)})",
                _ => "",
            };

            if (step.Op == Int8Op.Alias)
            {
                if (program.Steps[step.Step].Note.StartsWith("fused into", System.StringComparison.Ordinal))
                {
                    writer.WriteLine($"{Compiled}CompiledModel.RequireFusedAway(model, {path}, {Literal(HeadOf(step.Layer))});");
                }

                continue;
            }

            if (step.Op == Int8Op.Clamp && step.Layer.Length > 0)
            {
                writer.WriteLine($"{Compiled}CompiledModel.Unfused<global::QuantGen.Nn.{step.Activation}>(model, {path});");
            }

            string[] lines = create.Split('\n');
            writer.WriteLine($"{field} = {Compiled}{lines[0]}{(lines.Length == 1 ? ";" : "")}");
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

    /// <summary><c>Fork()</c>: every layer's <c>Fork</c> (the packing shared, the scratch new) and a new arena.</summary>
    private void WriteFork()
    {
        writer.WriteLine("/// <summary>");
        writer.WriteLine("/// Another instance over this one's packed weights, for another thread: the weights are shared, not copied. It costs");
        writer.WriteLine($"/// its own arena (Arena.Length × Arena.MaxBatch = {program.ArenaLength} × {program.MaxBatch} = {Bytes((long)program.ArenaLength * program.MaxBatch)} bytes){ScratchCost()},");
        writer.WriteLine("/// and the scratch of its convolutions and linear layers (im2col rows, row sums) for Arena.MaxBatch samples.");
        writer.WriteLine("/// Its <see cref=\"MaxThreads\"/> is 1.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine("public Int8 Fork() => new(this);");
        writer.WriteLineNoTabs(string.Empty);

        writer.WriteLine("private Int8(Int8 source)");
        writer.WriteLine("{");
        writer.Indent++;
        writer.WriteLine("// Each layer's Fork shares its packed weights and makes its own scratch; the arena is this instance's own.");
        foreach (Int8Step step in program.Steps)
        {
            if (step.Op == Int8Op.Alias) continue;
            string field = StepNames.Field(names[step.Step]);
            writer.WriteLine($"{field} = source.{field}.Fork();");
        }

        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
    }

    private string ScratchCost() =>
        program.ScratchLength == 0 ? "" : $", the float islands' scratch ({Bytes(4L * program.ScratchLength * program.MaxBatch)} bytes)";

    private static string Bytes(long count) => count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private void WriteMaxThreads()
    {
        writer.WriteLine("/// <summary>");
        writer.WriteLine("/// The most threads a batched <c>Forward</c> runs on: 1 by default, the calling thread alone. Above 1, a batch of two or");
        writer.WriteLine("/// more samples is split into contiguous slices, one per thread, at most <c>Environment.ProcessorCount</c> of them:");
        writer.WriteLine("/// the calling thread runs the first on this instance, thread-pool threads the others on forks of it, made when");
        writer.WriteLine("/// first needed and kept (each costs what <see cref=\"Fork\"/> says). The bytes equal the one-thread run's.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">Set below 1.</exception>");
        writer.WriteLine("public int MaxThreads");
        writer.WriteLine("{");
        writer.Indent++;
        writer.WriteLine("get => maxThreads;");
        writer.WriteLine("set");
        writer.WriteLine("{");
        writer.WriteLine("    global::System.ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);");
        writer.WriteLine("    maxThreads = value;");
        writer.WriteLine("}");
        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
    }

    private void WriteForward()
    {
        string input = Shape(Model.InputShape), output = Shape(plan.OutputShape);
        writer.WriteLine($"/// <summary>One sample: <paramref name=\"input\"/> {input} float → <paramref name=\"output\"/> {output} float. Allocates nothing.</summary>");
        writer.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A span's length is not <see cref=\"InputLength\"/> or <see cref=\"OutputLength\"/>.</exception>");
        writer.WriteLine($"public void Forward({ReadOnlySpan}<float> input, {Span}<float> output)");
        writer.WriteLine("{");
        writer.Indent++;
        writer.WriteLine("if (input.Length != InputLength)");
        writer.WriteLine("{");
        writer.WriteLine($"    throw new global::System.ArgumentException($\"The input must hold InputLength = {{InputLength}} values ({input}), but holds {{input.Length}}.\", nameof(input));");
        writer.WriteLine("}");
        writer.WriteLine("if (output.Length != OutputLength)");
        writer.WriteLine("{");
        writer.WriteLine($"    throw new global::System.ArgumentException($\"The output must hold OutputLength = {{OutputLength}} values ({output}), but holds {{output.Length}}.\", nameof(output));");
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
        writer.WriteLine("Run(input, output, 1);");
        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);

        writer.WriteLine("/// <summary>");
        writer.WriteLine($"/// <paramref name=\"batch\"/> samples, in passes of up to <c>Arena.MaxBatch</c>: input [batch, {Shape(Model.InputShape).Substring(1)} → output [batch, {output.Substring(1)}.");
        writer.WriteLine("/// On the calling thread, or split over up to <see cref=\"MaxThreads\"/> threads; the same bytes either way. Allocates nothing");
        writer.WriteLine("/// (but the forks, the first time a batch is split).");
        writer.WriteLine("/// </summary>");
        writer.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A span's length is not <paramref name=\"batch\"/> samples.</exception>");
        writer.WriteLine("/// <exception cref=\"global::System.AggregateException\">A slice run on another thread threw (an inner exception); this instance stays usable.</exception>");
        writer.WriteLine($"public void Forward({ReadOnlySpan}<float> input, {Span}<float> output, int batch)");
        writer.WriteLine("{");
        writer.Indent++;
        writer.WriteLine("global::System.ArgumentOutOfRangeException.ThrowIfNegative(batch);");
        writer.WriteLine("if (input.Length != (long)batch * InputLength)");
        writer.WriteLine("{");
        writer.WriteLine("    throw new global::System.ArgumentException($\"The input must hold {batch} × InputLength = {(long)batch * InputLength} values, but holds {input.Length}.\", nameof(input));");
        writer.WriteLine("}");
        writer.WriteLine("if (output.Length != (long)batch * OutputLength)");
        writer.WriteLine("{");
        writer.WriteLine("    throw new global::System.ArgumentException($\"The output must hold {batch} × OutputLength = {(long)batch * OutputLength} values, but holds {output.Length}.\", nameof(output));");
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
        writer.WriteLine("if (maxThreads == 1 || batch < 2)");
        writer.WriteLine("{");
        writer.WriteLine("    Passes(input, output, batch);");
        writer.WriteLine("    return;");
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
        writer.WriteLine("parallel ??= new(InputLength, OutputLength, Passes, () => Fork().Passes);");
        writer.WriteLine("parallel.Forward(input, output, batch, maxThreads);");
        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);

        writer.WriteLine("/// <summary><paramref name=\"batch\"/> samples on this thread, in passes of up to <c>Arena.MaxBatch</c>.</summary>");
        writer.WriteLine($"private void Passes({ReadOnlySpan}<float> input, {Span}<float> output, int batch)");
        writer.WriteLine("{");
        writer.Indent++;
        writer.WriteLine("for (int start = 0; start < batch; start += Arena.MaxBatch)");
        writer.WriteLine("{");
        writer.WriteLine("    int n = global::System.Math.Min(Arena.MaxBatch, batch - start);");
        writer.WriteLine("    Run(input.Slice(start * InputLength, n * InputLength), output.Slice(start * OutputLength, n * OutputLength), n);");
        writer.WriteLine("}");
        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);

        writer.WriteLine("/// <summary>One pass of <paramref name=\"n\"/> samples (at most <c>Arena.MaxBatch</c>): every step runs them all at once.</summary>");
        writer.WriteLine($"private void Run({ReadOnlySpan}<float> input, {Span}<float> output, int n)");
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
        writer.WriteLineNoTabs(string.Empty);
        writer.WriteLine("/// <summary>The arena bytes of one value for a pass of <paramref name=\"n\"/> samples.</summary>");
        writer.WriteLine($"private {Span}<byte> Bytes(int offset, int length, int n) => new(arena, offset * n, length * n);");
    }

    /// <summary>A step as a line of <c>Run</c> or of its block's method; a fused-away step as a comment.</summary>
    private void WriteCall(Int8Step step)
    {
        string name = names[step.Step];
        if (step.Op == Int8Op.Alias) writer.WriteLine($"// {plan.Steps[step.Step].Name}: {Note(step)}.");
        else if (step.Op == Int8Op.Quantize) writer.WriteLine($"{name}(input, n);");
        else if (step.Op == Int8Op.Dequantize) writer.WriteLine($"{name}(output, n);");
        else writer.WriteLine($"{name}(n);");
    }

    /// <summary>One method per block (an <c>InvertedResidual</c>, a <c>ConvBNReLU</c>), calling its steps in order.</summary>
    private void WriteBlock(BlockMethods.Block block)
    {
        writer.WriteLineNoTabs(string.Empty);
        writer.WriteLine($"// '{block.Spec.Path}': {Describe(block.Spec)}{Where(block.Spec.Location)}.");
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
        string name = names[step.Step];
        string field = StepNames.Field(name);
        PlannedStep shapes = plan.Steps[step.Step];
        writer.WriteLineNoTabs(string.Empty);
        writer.WriteLine($"// {Describe(step)}");
        writer.WriteLine($"// {Shape(shapes.InputShape)} → {Shape(shapes.OutputShape)}{Layouts(step, shapes)}{Where(step)}.");
        string output = $"Bytes(Arena.{name}, Shapes.{name}Length, n)";
        string call = step.Op switch
        {
            Int8Op.Quantize => $"private void {name}({ReadOnlySpan}<float> input, int n) => {field}.Forward(input, {output});",
            Int8Op.Dequantize => $"private void {name}({Span}<float> output, int n) => {field}.Forward({Read(step.Inputs[0])}, output);",
            Int8Op.Add => $"private void {name}(int n) => {field}.Forward({Read(step.Inputs[0])}, {Read(step.Inputs[1])}, {output});",
            Int8Op.LayerNorm or Int8Op.Softmax => $"private void {name}(int n) => {field}.Forward({Read(step.Inputs[0])}, {output}, scratch);",
            Int8Op.Conv2d or Int8Op.MaxPool2d or Int8Op.AvgPool2d or Int8Op.AdaptiveAvgPool2d =>
                $"private void {name}(int n) => {field}.Forward({Read(step.Inputs[0])}, {output}, n);",
            _ => $"private void {name}(int n) => {field}.Forward({Read(step.Inputs[0])}, {output});",
        };
        writer.WriteLine(call);
    }

    // ---- text ----

    private string Describe(Int8Step step)
    {
        PlannedStep shapes = plan.Steps[step.Step];
        string layer = $"'{shapes.Name}' ({Kind(step)})";
        switch (step.Op)
        {
            case Int8Op.Quantize: return $"{layer}: float → quint8 with the qparams calibration chose.";
            case Int8Op.Dequantize: return $"{layer}: quint8 → float, into the caller's output.";
            case Int8Op.Conv2d or Int8Op.Linear when step.Fused.Count > 0:
                PlannedFusion fusion = FusionOf(step.Layer)!;
                var absorbed = new List<string>();
                foreach (string fused in step.Fused) absorbed.Add($"'{fused}' ({KindOf(fused)})");
                return $"{layer} with {string.Join(" and ", absorbed)} fused in ([Fuse({Int8Planner.Pattern(fusion)})]): " +
                    (Has(fusion.Pattern, "BN") ? "BatchNorm folded into the weights and bias, " : "") +
                    (step.Activation != "None" ? $"{step.Activation} as the requantize clamp." : "nothing else to run.");
            case Int8Op.Conv2d or Int8Op.Linear: return $"{layer}: int8 weights, int32 bias at s_in·s_w, requantized to its output's qparams.";
            case Int8Op.Clamp: return $"{layer}, not fused: clamps the bytes to those of 0{(step.Activation == "ReLU6" ? " and 6" : "")} under its input's qparams.";
            case Int8Op.Add: return $"{layer}: both inputs requantized to its own qparams (qnnpack's fixed-point add).";
            case Int8Op.Flatten: return $"{layer}: the channels-last bytes reordered to NCHW, the order PyTorch flattens.";
            case Int8Op.LayerNorm or Int8Op.Softmax: return $"{layer}, a float island: dequantize, {Kind(step)} in float, quantize with the qparams calibration chose.";
            default: return $"{layer}: keeps its input's qparams.";
        }
    }

    private string Where(Int8Step step) =>
        Where(step.Layer.Length > 0 ? Model.Layer(step.Layer)?.Location : Model.Forward[step.Step].Location);

    private static string Where(LocationInfo? location) =>
        location is null ? "" : $"; {Path.GetFileName(location.FilePath)}:{location.LineSpan.Start.Line + 1}";

    private string Note(Int8Step step) => step.Note;

    private string Kind(Int8Step step) => step.Layer.Length > 0 ? KindOf(step.Layer) : plan.Steps[step.Step].Kind;

    private string KindOf(string path) => Model.Layer(path)?.Kind ?? "";

    private PlannedFusion? FusionOf(string layer)
    {
        foreach (PlannedFusion fusion in plan.Fusions)
        {
            if (Has(fusion.Layers, layer)) return fusion;
        }

        return null;
    }

    private string HeadOf(string layer) => FusionOf(layer)?.Layers[0] ?? "";

    private ArenaSlot Slot(int value)
    {
        foreach (ArenaSlot slot in program.Slots)
        {
            if (slot.Value == value) return slot;
        }

        return new ArenaSlot(value, 0, 0, 0, 0);
    }

    /// <summary>The qparams of a quint8 value: its producer's output, through aliases.</summary>
    private string QParams(int value)
    {
        Int8Step producer = program.Steps[value - 1];
        return producer.Op == Int8Op.Alias ? QParams(producer.Inputs[0]) : StepNames.Field(names[value - 1]) + ".Output";
    }

    private string Read(int value) => $"Bytes(Arena.{names[value - 1]}, Shapes.{names[value - 1]}Length, n)";

    /// <summary>The layout a step reads and writes, where it matters: quint8 values of several channels and pixels are NHWC.</summary>
    private static string Layouts(Int8Step step, PlannedStep shapes)
    {
        string input = step.Op == Int8Op.Quantize ? "float NCHW" : IsChannelsLast(shapes.InputShape) ? "NHWC" : "";
        string output = step.Op == Int8Op.Dequantize ? "float NCHW" : IsChannelsLast(shapes.OutputShape) ? "NHWC" : "";
        if (input.Length == 0 && output.Length == 0) return "";
        if (input == output) return $", {input}";
        return $", {(input.Length > 0 ? input : "flat")} → {(output.Length > 0 ? output : "flat")}";
    }

    private static bool IsChannelsLast(EquatableArray<int> shape)
    {
        (int channels, int pixels) = Int8Planner.ChannelsAndPixels(shape);
        return shape.Count > 1 && channels > 1 && pixels > 1;
    }

    /// <summary>The channels and pixels of a sample, for the steps that move between NCHW floats and NHWC bytes.</summary>
    private static string Layout(EquatableArray<int> shape)
    {
        (int channels, int pixels) = Int8Planner.ChannelsAndPixels(shape);
        return $"channels: {channels}, pixels: {pixels}";
    }

    /// <summary>A float island over several channels and pixels sees NCHW floats: it transposes on the way in and out.</summary>
    private string IslandLayout(Int8Step step) =>
        IsChannelsLast(plan.Steps[step.Step].InputShape) ? ", " + Layout(plan.Steps[step.Step].InputShape) : "";

    private static bool Has(EquatableArray<string> items, string item)
    {
        foreach (string candidate in items)
        {
            if (candidate == item) return true;
        }

        return false;
    }

    private static string Type(Int8Op op) => op.ToString();

    private static string Activation(Int8Step step) => "global::QuantGen.Kernels.FusedActivation." + step.Activation;

    private static string PoolGeometry(EquatableArray<int> a) =>
        $"new global::QuantGen.Kernels.PoolGeometry(Planes: {a[0]}, InHeight: {a[1]}, InWidth: {a[2]}, KernelHeight: {a[3]}, KernelWidth: {a[3]}, " +
        $"StrideHeight: {a[4]}, StrideWidth: {a[4]}, PadHeight: {a[5]}, PadWidth: {a[5]}, DilationHeight: {a[6]}, DilationWidth: {a[6]}, CeilMode: {Bool(a[7])})";

    private static string Bool(int flag) => flag != 0 ? "true" : "false";

    private static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);

    private static string Shape(EquatableArray<int> shape) => "[" + string.Join(", ", shape) + "]";
}
