using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// <see cref="QCat"/> over rows: each of <c>outer</c> output rows holds one block of each input in turn — in NHWC a
/// channel concatenation is one block of channels per pixel (an interleaving copy), a concatenation along height one
/// block per sample — joined one input at a time (<see cref="Join"/>). An input with the output's qparams is copied; any other is first requantized whole through its
/// 256-entry table (<see cref="Int8Lookup"/>, vectorised) into scratch, then copied. Built per layer; its scratch
/// makes it one call at a time (<see cref="Fork"/> gives another with its own).
/// </summary>
internal sealed class Int8Cat
{
    private readonly int[] blocks;
    private readonly Int8Lookup?[] requantize;
    private byte[] scratch = [];

    public Int8Cat(ReadOnlySpan<int> blocks, ReadOnlySpan<ActivationQParams> inputs, ActivationQParams output)
    {
        if (blocks.Length != inputs.Length) throw new ArgumentException($"Cat: {blocks.Length} block sizes for {inputs.Length} inputs.", nameof(blocks));
        output.Validate(nameof(output));
        this.blocks = blocks.ToArray();
        requantize = new Int8Lookup?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i].Validate(nameof(inputs));
            if (inputs[i] != output) requantize[i] = new Int8Lookup(QLookup.Requantize(inputs[i], output));
        }
    }

    private Int8Cat(Int8Cat other) => (blocks, requantize) = (other.blocks, other.requantize);

    public Int8Cat Fork() => new(this);

    /// <summary>Two inputs, each <paramref name="outer"/> rows of its block.</summary>
    public void Forward(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int outer, Span<byte> output)
    {
        if (blocks.Length != 2) throw new InvalidOperationException($"This Cat joins {blocks.Length} inputs, not 2.");
        Join(0, a, outer, output);
        Join(1, b, outer, output);
    }

    /// <summary>
    /// Writes input <paramref name="input"/> (<paramref name="outer"/> rows of its block) into its place in every output
    /// row; the output is complete once every input has been joined.
    /// </summary>
    public void Join(int input, ReadOnlySpan<byte> values, int outer, Span<byte> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(input);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(input, blocks.Length);
        int block = blocks[input], row = 0, at = 0;
        for (int i = 0; i < blocks.Length; i++)
        {
            if (i == input) at = row;
            row += blocks[i];
        }

        ReferenceChecks.Length(values.Length, (long)outer * block, $"input {input}", "Cat", $"{outer} rows of {block}");
        ReferenceChecks.Length(output.Length, (long)outer * row, "the output", "Cat", $"{outer} rows of {row}");
        if (scratch.Length < values.Length) scratch = new byte[values.Length];
        values = Requantized(input, values, scratch.AsSpan(0, values.Length));
        for (int r = 0; r < outer; r++) values.Slice(r * block, block).CopyTo(output.Slice(r * row + at));
    }

    private ReadOnlySpan<byte> Requantized(int input, ReadOnlySpan<byte> values, Span<byte> into)
    {
        if (requantize[input] is not { } lookup) return values;
        lookup.Forward(values, into);
        return into;
    }
}
