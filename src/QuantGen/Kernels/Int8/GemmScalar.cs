namespace QuantGen.Kernels.Int8;

/// <summary>The scalar GEMM: raw weights [N × K], the same zero-point correction as the vector paths, the reference requantize.</summary>
internal static unsafe class GemmScalar
{
    public static void Run(QGemm g, byte* a, int rows, byte* y, int* rowSums)
    {
        int n = g.N, k = g.K;
        Epilogue e = g.Epilogue;
        int* offsets = e.Offsets, weightZeroPoints = e.WeightZeroPoints;
        sbyte* weights = (sbyte*)g.Panels;
        for (int m = 0; m < rows; m++)
        {
            byte* x = a + (long)m * k;
            for (int c = 0; c < n; c++)
            {
                sbyte* w = weights + (long)c * k;
                int acc = offsets[c];
                for (int i = 0; i < k; i++) acc += x[i] * w[i];
                if (weightZeroPoints != null) acc -= weightZeroPoints[c] * rowSums[m];
                y[(long)m * n + c] = e.Scalar(acc, c);
            }
        }
    }
}
