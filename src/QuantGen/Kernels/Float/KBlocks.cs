namespace QuantGen.Kernels.Float;

/// <summary>
/// A product's k cut into blocks of <see cref="Size"/> (the last may be shorter) that are summed apart, each from 0
/// (the first perhaps from the bias), and then added in order: oneDNN's reduction over blocks of input channels
/// (<see cref="DirectConvOrder"/>). Packed A holds each block's row panels one after another (block b's start at
/// Padded(m) · b · Size, each panel Width × that block's k), as <see cref="DirectConvOrder.PackGroup"/> lays them out;
/// packed B is k rows in order, so a block's rows are a run of them. One block is the plain product and layout.
/// </summary>
internal readonly unsafe struct KBlocks(int k, int size)
{
    public int K { get; } = k;

    public int Size { get; } = Math.Max(1, size);

    public static KBlocks One(int k) => new(k, k);

    public int Count => Math.Max(1, (K + Size - 1) / Size);

    public int First(int block) => block * Size;

    public int Length(int block) => Math.Min(Size, K - First(block));

    /// <summary>Packed A of <paramref name="m"/> rows: where <paramref name="row"/>'s lane of its panel starts in <paramref name="block"/>.</summary>
    public float* RowStart(float* packedA, int m, int block, int row) =>
        packedA + (long)Panels.Padded(m) * First(block) + (long)(row / Panels.Width) * Length(block) * Panels.Width + row % Panels.Width;
}
