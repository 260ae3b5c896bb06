using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// <see cref="QCat"/> over rows: each of <c>outer</c> output rows holds one block of each input in turn — in NHWC a
/// channel concatenation is one block of channels per pixel (an interleaving copy), a concatenation along height one
/// block per sample. An input with the output's qparams is copied; any other is first requantized whole through its
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
        int row = blocks[0] + blocks[1];
        ReferenceChecks.Length(a.Length, (long)outer * blocks[0], "input 0", "Cat", $"{outer} rows of {blocks[0]}");
        ReferenceChecks.Length(b.Length, (long)outer * blocks[1], "input 1", "Cat", $"{outer} rows of {blocks[1]}");
        ReferenceChecks.Length(output.Length, (long)outer * row, "the output", "Cat", $"{outer} rows of {row}");
        if (scratch.Length < a.Length + b.Length) scratch = new byte[a.Length + b.Length];
        a = Requantized(0, a, scratch.AsSpan(0, a.Length));
        b = Requantized(1, b, scratch.AsSpan(a.Length, b.Length));
        for (int r = 0; r < outer; r++)
        {
            a.Slice(r * blocks[0], blocks[0]).CopyTo(output.Slice(r * row));
            b.Slice(r * blocks[1], blocks[1]).CopyTo(output.Slice(r * row + blocks[0]));
        }
    }

    private ReadOnlySpan<byte> Requantized(int input, ReadOnlySpan<byte> values, Span<byte> into)
    {
        if (requantize[input] is not { } lookup) return values;
        lookup.Forward(values, into);
        return into;
    }
}
