using System.CodeDom.Compiler;
using System.Collections.Generic;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Emitting;

/// <summary>
/// Writes the nested <c>Int8</c> class, on <c>QuantGen.Compiled.Int8Pass&lt;TPass&gt;</c>: the layers eager int8 runs,
/// quint8 values channels-last (NHWC) in a byte arena, float islands borrowing the base's scratch.
/// </summary>
internal sealed class Int8Emitter(ModelPlan plan, PassProgram program, string[] names, IndentedTextWriter writer)
    : PassEmitter(plan, program, names, writer)
{
    protected override string ClassName => "Int8";

    protected override string BaseClass => "Int8Pass";

    protected override string Unit => "bytes";

    protected override IEnumerable<string> Summary() =>
    [
        $"{Model.ClassName}'s int8 forward pass, generated: the layers eager int8 runs, in order, on one",
        "arena of fixed offsets, with every shape a constant and every quint8 value channels-last (NHWC), on the fast",
        "int8 kernels; equal to the converted model's <c>Forward</c> bit for bit. Build it with <see cref=\"Convert\"/> or",
        $"<see cref=\"From\"/>. A fork costs its own arena ({Count((long)Program.ArenaLength * Program.MaxBatch + (Program.Head?.Length ?? 0))} bytes){ScratchCost()}",
        "and the scratch of its convolutions and linear layers.",
    ];

    protected override IEnumerable<string> ArenaSummary() =>
    [
        "Byte offsets of each quint8 value in the arena, fixed at compile time: a buffer is alive from the step that",
        $"writes it to the last that reads it; first fit, {ArenaPlanner.Alignment}-byte aligned. Aliases share their source's bytes.",
        "Offsets and lengths are per sample: a pass of n samples multiplies both by n (the layout scales)" +
            (Program.Head is null ? "." : "; the steps that run one sample at a time have theirs in PerSample, after the batch's."),
    ];

    protected override string Layout() =>
        $"Int8PassLayout Layout = new(InputLength, OutputLength, Arena.Length, Arena.MaxBatch, " +
        $"ScratchLength: {Program.ScratchLength}, InputShape: \"{Shape(Model.InputShape)}\", OutputShape: \"{Shape(Plan.OutputShape)}\"" +
        (Program.Head is null ? ")" : ", HeadLength: Arena.PerSample.Length)");

    protected override (IEnumerable<string> Lines, string Parameter) FromDocs() =>
    ([
        $"The int8 forward pass of a converted {Model.ClassName}: by <see cref=\"Convert\"/>, by",
        "<c>EagerQuantization.Convert</c>, or loaded with <c>QgmFile.Load</c>. Weights, int32 biases and qparams are",
        "taken from it now; later changes to the model do not reach this instance.",
    ], "converted");

    protected override string FromThrows => "The model is not converted, or a layer";

    private string ScratchCost() =>
        Program.ScratchLength == 0 ? "" : $", the float islands' scratch ({Count(4L * Program.ScratchLength * Program.MaxBatch)} bytes)";

    /// <summary>Quint8 values of several channels and pixels are NHWC; the caller's input and output are float NCHW.</summary>
    protected override string Layouts(ProgramStep step, PlannedStep shapes)
    {
        StepLowering lowering = step.Lowering;
        string input = lowering.ReadsCallerInput ? "float NCHW" : StepText.IsChannelsLast(shapes.InputShape) ? "NHWC" : "";
        string output = lowering.Storage == StepStorage.CallerOutput ? "float NCHW" : StepText.IsChannelsLast(shapes.OutputShape) ? "NHWC" : "";
        if (input.Length == 0 && output.Length == 0) return "";
        if (input == output) return $", {input}";
        return $", {(input.Length > 0 ? input : "flat")} → {(output.Length > 0 ? output : "flat")}";
    }
}
