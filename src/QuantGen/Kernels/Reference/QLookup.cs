namespace QuantGen.Kernels.Reference;

/// <summary>
/// The quint8 activations PyTorch 1.13 runs as a function of the input byte alone: a 256-entry table from input
/// byte to output byte, built once per (input qparams, output qparams) with the arithmetic of PyTorch's kernel —
/// qnnpack's lookup-table operators (Hardswish, Hardsigmoid, Sigmoid, Tanh) and the vectorised dequantize → float →
/// quantize kernels (LeakyReLU, ELU) — so that applying it gives PyTorch's bytes.
/// </summary>
/// <remarks>Pure functions of their arguments: safe to call from any number of threads.</remarks>
public static class QLookup
{
    public const int Entries = 256;

    /// <summary>qnnpack's hardswish: x·clamp(x + 3, 0, 6)/6, scaled by 1/output scale and offset by the zero point, in float.</summary>
    public static byte[] Hardswish(ActivationQParams input, ActivationQParams output)
    {
        float inverseScale = 1f / output.Scale, zeroPoint = output.ZeroPoint;
        return QnnpackTable(input, x => inverseScale * (x * Math.Clamp(x + 3f, 0f, 6f) / 6f) + zeroPoint);
    }

    /// <summary>qnnpack's hardsigmoid: clamp(x + 3, 0, 6)/6 scaled to the output, whose qparams PyTorch fixes (<see cref="UnitOutput"/>).</summary>
    public static byte[] Hardsigmoid(ActivationQParams input, ActivationQParams output)
    {
        float inverseScale = 1f / output.Scale, zeroPoint = output.ZeroPoint;
        return QnnpackTable(input, x => inverseScale * (Math.Clamp(x + 3f, 0f, 6f) / 6f) + zeroPoint);
    }

    /// <summary>qnnpack's sigmoid: 256/(1 + e⁻ˣ) in float, for its only output qparams <see cref="UnitOutput"/>.</summary>
    public static byte[] Sigmoid(ActivationQParams input, ActivationQParams output)
    {
        RequireFixed(output, UnitOutput, "Sigmoid");
        return QnnpackTable(input, x => 256f / (1f + MathF.Exp(-x)));
    }

    /// <summary>qnnpack's tanh: 128·tanh(x) + 128, in double then rounded to float, for its only output qparams <see cref="SymmetricOutput"/>.</summary>
    public static byte[] Tanh(ActivationQParams input, ActivationQParams output)
    {
        RequireFixed(output, SymmetricOutput, "Tanh");
        return QnnpackTable(input, x => (float)(128.0 * Math.Tanh(x) + 128.0));
    }

    /// <summary>PyTorch's vectorised leaky ReLU: x·(x &gt; 0 ? 1 : slope) on the fused-multiply-add dequantized input, then quantized.</summary>
    public static byte[] LeakyRelu(ActivationQParams input, ActivationQParams output, float negativeSlope) =>
        VectorisedTable(input, output, x => x * (x > 0f ? 1f : negativeSlope));

    /// <summary>PyTorch's vectorised ELU: x where x &gt; 0, else (eˣ − 1)·α, on the fused-multiply-add dequantized input, then quantized.</summary>
    public static byte[] Elu(ActivationQParams input, ActivationQParams output, float alpha) =>
        VectorisedTable(input, output, x => x > 0f ? x : (MathF.Exp(x) - 1f) * alpha);

    /// <summary>
    /// Requantization from one quint8 scale to another, as ATen's vectorised kernels do it (quantized cat with
    /// differing qparams, the broadcasting add): dequantize with fused multiply-add, quantize to the output.
    /// </summary>
    public static byte[] Requantize(ActivationQParams input, ActivationQParams output) => VectorisedTable(input, output, x => x);

    /// <summary>The output qparams PyTorch fixes for Sigmoid and Hardsigmoid on quint8: scale 1/256, zero point 0 (the range [0, 1)).</summary>
    public static ActivationQParams UnitOutput { get; } = new(1f / 256f, 0);

    /// <summary>The output qparams PyTorch fixes for Tanh on quint8: scale 2/256, zero point 128 (the range [−1, 1)).</summary>
    public static ActivationQParams SymmetricOutput { get; } = new(2f / 256f, 128);

    /// <summary>output[i] = table[input[i]].</summary>
    public static void Apply(ReadOnlySpan<byte> input, ReadOnlySpan<byte> table, Span<byte> output)
    {
        if (table.Length != Entries) throw new ArgumentException($"A lookup table has {Entries} entries, not {table.Length}.", nameof(table));
        if (input.Length != output.Length) throw new ShapeMismatchException($"Lookup: the output has {output.Length} values for {input.Length} inputs.");
        for (int i = 0; i < input.Length; i++) output[i] = table[input[i]];
    }

    /// <summary>
    /// qnnpack's table: x = scale·(i − zero point) in float, the op's value in output units, clamped to [0, 255] and
    /// rounded to nearest even (C's <c>lrintf</c>).
    /// </summary>
    private static byte[] QnnpackTable(ActivationQParams input, Func<float, float> scaled)
    {
        input.Validate(nameof(input));
        var table = new byte[Entries];
        for (int i = 0; i < Entries; i++)
        {
            float x = input.Scale * (i - input.ZeroPoint);
            table[i] = (byte)MathF.Round(Math.Clamp(scaled(x), 0f, 255f), MidpointRounding.ToEven);
        }
        return table;
    }

    /// <summary>
    /// ATen's AVX2 quint8 kernels: dequantize as fma(q, scale, −zero point·scale), the op in float, quantize as
    /// round-to-even(y · (1/scale)) + zero point clamped to [0, 255].
    /// </summary>
    private static byte[] VectorisedTable(ActivationQParams input, ActivationQParams output, Func<float, float> op)
    {
        input.Validate(nameof(input));
        output.Validate(nameof(output));
        float premultiplied = input.Scale * -(float)input.ZeroPoint, inverseScale = 1f / output.Scale;
        var table = new byte[Entries];
        for (int i = 0; i < Entries; i++)
        {
            float y = op(MathF.FusedMultiplyAdd(i, input.Scale, premultiplied));
            float rounded = MathF.Round(y * inverseScale, MidpointRounding.ToEven);
            table[i] = (byte)Math.Clamp(rounded + output.ZeroPoint, 0f, 255f);
        }
        return table;
    }

    private static void RequireFixed(ActivationQParams output, ActivationQParams expected, string op)
    {
        if (output != expected)
        {
            throw new ArgumentException($"quint8 {op} has output scale {expected.Scale} and zero point {expected.ZeroPoint} in PyTorch, not {output.Scale} and {output.ZeroPoint}.", nameof(output));
        }
    }
}
