using System.CodeDom.Compiler;
using System.Collections.Generic;
using QuantGen.Generator.Model;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Emitting;

/// <summary>
/// Writes the nested <c>Float</c> class (every class has one) or, for <c>QuantMode.Dynamic</c>, the <c>Dynamic</c>
/// class, on <c>QuantGen.Compiled.FloatPass&lt;TPass&gt;</c>: float values in PyTorch's layout (NCHW) in a float arena,
/// the fast float kernels, and in the dynamic pass each Linear as a dynamic int8 kernel.
/// </summary>
internal sealed class FloatEmitter(ModelPlan plan, PassProgram program, string[] names, IndentedTextWriter writer)
    : PassEmitter(plan, program, names, writer)
{
    private bool Dynamic => Program.Kind == PassKind.Dynamic;

    protected override string ClassName => Dynamic ? "Dynamic" : "Float";

    protected override string BaseClass => "FloatPass";

    protected override string Unit => "floats";

    protected override IEnumerable<string> Summary() => Dynamic
        ?
        [
            $"{Model.ClassName}'s dynamic int8 forward pass, generated: float values in one arena of fixed offsets, each Linear",
            "a dynamic int8 kernel (its input quantized per sample from the sample's own range, int8 weights, float out), as",
            "PyTorch's <c>quantize_dynamic</c> converts it; equal bit for bit to the dynamically quantized model's <c>Forward</c>",
            "run one sample at a time, whatever the batch. Build it with <see cref=\"QuantizeDynamic\"/> or <see cref=\"From\"/>.",
            $"A fork costs its own arena ({Count(4L * Program.ArenaLength * Program.MaxBatch)} bytes) and each Linear's quantized input.",
        ]
        :
        [
            $"{Model.ClassName}'s float forward pass, generated: the layers in order on one arena of fixed offsets, every shape",
            "a constant and every value float in PyTorch's layout (NCHW), on the fast float kernels with weights packed once",
            "and [Fuse]'s BatchNorms folded into copies of them; the float model's <c>Forward</c> up to float rounding. Build it",
            $"with <see cref=\"From\"/>. A fork costs its own arena ({Count(4L * Program.ArenaLength * Program.MaxBatch)} bytes).",
        ];

    protected override IEnumerable<string> ArenaSummary() =>
    [
        "Float offsets of each value in the arena, fixed at compile time: a buffer is alive from the step that writes it",
        $"to the last that reads it; first fit, {ArenaPlanner.Alignment}-byte aligned. Aliases share their source's values; the",
        "model input is the caller's span. Offsets and lengths are per sample: a pass of n samples multiplies both by n.",
    ];

    protected override string Layout() =>
        $"FloatPassLayout Layout = new(InputLength, OutputLength, Arena.Length, Arena.MaxBatch, " +
        $"InputShape: \"{Shape(Model.InputShape)}\", OutputShape: \"{Shape(Plan.OutputShape)}\")";

    protected override (IEnumerable<string> Lines, string Parameter) FromDocs() => Dynamic
        ? ([
            $"The dynamic pass of a {Model.ClassName} quantized with <see cref=\"QuantizeDynamic\"/> (or",
            "<c>EagerQuantization.QuantizeDynamic</c>, or loaded with <c>QgmFile.Load</c>). Weights and biases are taken from",
            "it now; later changes to the model do not reach this instance.",
        ], "quantized")
        : ([
            $"The float forward pass of a {Model.ClassName} in eval mode (fused or not). Weights and biases are taken from it",
            "now, and packed; later changes to the model do not reach this instance.",
        ], "model");

    protected override string FromThrows => Dynamic ? "The model is not dynamically quantized, or a layer" : "A layer";

    protected override string Layouts(ProgramStep step, PlannedStep shapes) => "";

    /// <summary>The output value, in the arena (or the input itself), copied into the caller's span.</summary>
    protected override IEnumerable<string> AfterSteps()
    {
        int output = Model.Output;
        if (output == 0 || Program.Storage[output] < 0) return ["input.CopyTo(output);"];
        return [$"{Text(Program.Steps[output - 1]).Write}.CopyTo(output);"];
    }
}
