namespace QuantGen.Kernels.Float;

/// <summary>
/// A product's k cut into blocks of <see cref="Size"/> (the last may be shorter) that are summed apart, each from 0
/// (the first perhaps from the bias), and then added in order: oneDNN's reduction over blocks of input channels
/// (<see cref="DirectConvOrder"/>). A and B are packed as for one product over all of k (each row panel of A k-major,
/// <see cref="Panels.PackRows"/>), so a block is a run of k in each panel: a panel streams from memory in one piece.
/// </summary>
internal readonly unsafe struct KBlocks(int k, int size)
{
    public int K { get; } = k;

    public int Size { get; } = Math.Max(1, size);

    public static KBlocks One(int k) => new(k, k);

    /// <summary>
    /// Whether the bias is added to the first block's sum (oneDNN's direct kernel) instead of starting it (its 1×1
    /// kernel). The narrow product always adds it so; the tiled one starts from it unless this is set.
    /// </summary>
    public bool BiasAfterSum { get; init; }

    public int Count => Math.Max(1, (K + Size - 1) / Size);

    public int First(int block) => block * Size;

    public int Length(int block) => Math.Min(Size, K - First(block));

    /// <summary>Packed A: where <paramref name="row"/>'s lane of its panel is at the first k of <paramref name="block"/>.</summary>
    public float* RowStart(float* packedA, int block, int row) =>
        packedA + ((long)(row / Panels.Width) * K + First(block)) * Panels.Width + row % Panels.Width;
}
