namespace QuantGen.Kernels.Float;

/// <summary>
/// The packed layout shared by every float GEMM path. A is cut into panels of <see cref="Width"/> rows
/// stored k-major (<c>[panel][k][16]</c>), B into panels of <see cref="Width"/> columns (<c>[panel][k][16]</c>);
/// both zero-padded at the edge. One layout for all paths, so packed weights do not depend on the machine.
/// </summary>
internal static unsafe class Panels
{
    public const int Width = 16;

    public static int Count(int length) => (length + Width - 1) / Width;

    public static int Padded(int length) => Count(length) * Width;

    /// <summary>Packs row-major A [m, k] (leading dimension <paramref name="lda"/>) into row panels.</summary>
    public static void PackRows(float* a, int lda, int m, int k, float* destination)
    {
        for (int panel = 0; panel < Count(m); panel++)
        {
            int first = panel * Width;
            int rows = Math.Min(Width, m - first);
            float* target = destination + (long)panel * k * Width;
            for (int r = 0; r < rows; r++)
            {
                float* source = a + (long)(first + r) * lda;
                for (int p = 0; p < k; p++) target[p * Width + r] = source[p];
            }
            for (int r = rows; r < Width; r++)
            {
                for (int p = 0; p < k; p++) target[p * Width + r] = 0f;
            }
        }
    }
}
