using System.Collections.Generic;
using System.Text;
using QuantGen.Generator.Emitting;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>
/// A layer <c>[KeepFloat]</c> keeps in float, inside the int8 pass: its descriptor's float step (<see cref="Inner"/>) on
/// NCHW floats — the floats a kept layer before it left (<see cref="FloatInputs"/>), else its input bytes dequantized
/// into scratch — writing its float output, then that output quantized to bytes with the qparams calibration observed,
/// for the int8 layers that read it. Eager's <c>KeptFloatLayer</c>, step for step.
/// </summary>
internal sealed record KeptFloatLowering(FloatLowering Inner, EquatableArray<bool> FloatInputs, EquatableArray<int> InputShape, EquatableArray<int> OutputShape) : Int8Lowering
{
    /// <summary>False when every reader takes the floats (kept layers, the final dequantize): the bytes would go unread.</summary>
    public bool QuantizesOutput { get; init; } = true;

    public override string? RuntimeType => $"CompiledKeptFloat<{Compiled}{Inner.RuntimeType}>";

    public override string Create(StepText step)
    {
        var inputs = new List<string>();
        for (int i = 0; i < FloatInputs.Count; i++) inputs.Add(step.InputQParams(i));
        string[] inner = Inner.Create(step.Inner(step.Field + ".Layer", [], "")).Split('\n');
        var text = new StringBuilder($"CompiledKeptFloat.Create(model, {step.Path},\n    {Compiled}{inner[0]}");
        for (int i = 1; i < inner.Length; i++) text.Append("\n    ").Append(inner[i]);
        (int inChannels, int inPixels) = Planning.Int8Planner.ChannelsAndPixels(InputShape);
        (int outChannels, int outPixels) = Planning.Int8Planner.ChannelsAndPixels(OutputShape);
        return text.Append($",\n    static layer => layer.Fork(), [{string.Join(", ", inputs)}], inChannels: {inChannels}, inPixels: {inPixels}, outChannels: {outChannels}, outPixels: {outPixels})").ToString();
    }

    /// <summary>A block: the inputs as floats (locals, so the field goes by <c>this.</c>), the float step, the quantize.</summary>
    public override string Call(StepText step)
    {
        string field = "this." + step.Field;
        var reads = new string[FloatInputs.Count];
        var lines = new List<string>();
        int dequantized = 0; // inputs dequantized into scratch so far, each one input's length
        for (int i = 0; i < FloatInputs.Count; i++)
        {
            reads[i] = "in" + i;
            string length = $"Shapes.{step.InputName(i)}Length * n";
            string floats = FloatInputs[i]
                ? step.ReadFloats(i)
                : $"{field}.Dequantize({i}, {step.Read(i)}, Scratch.Slice({(dequantized++ == 0 ? "0" : $"{dequantized - 1} * {length}")}, {length}))";
            lines.Add($"global::System.Span<float> in{i} = {floats};");
        }

        lines.Add(Inner.Call(step.Inner(field + ".Layer", reads, step.WriteFloats)) + ";");
        if (QuantizesOutput) lines.Add($"{field}.Quantize({step.WriteFloats}, {step.Write});");
        return string.Join("\n", lines);
    }

    public override string Describe(StepText step) =>
        $"{step.Subject} kept in float ([KeepFloat]): {Inner.Describe(step.Inner(step.Field + ".Layer", [], "")).TrimEnd('.')}" +
        (QuantizesOutput ? "; its output also quantized with the qparams calibration observed, for the int8 layers after it." : "; only float readers follow, so its output is not quantized.");

    /// <summary>Scratch for each input read as bytes, dequantized.</summary>
    public override long ScratchFloats(int inputLength)
    {
        long floats = 0;
        foreach (bool read in FloatInputs) floats += read ? 0 : inputLength;
        return floats;
    }
}
