using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Float;

/// <summary>
/// y = x·Wᵀ + b in the order of the reference BLAS <c>sgemm</c> that Debian's PyTorch 1.13 hands <c>addmm</c> to: each
/// output a dot product from 0 over the input features in order, a rounded product then a rounded add each (no
/// fused multiply-add), the bias added last. Tiled four input rows by one 16-output weight panel (below four rows, one
/// row by four panels), vectorised across the panel's outputs, so every output keeps that order while each weight load
/// serves four rows.
/// </summary>
internal static unsafe class BlasOrderProduct
{
    private const int Rows = 4;

    /// <summary>
    /// <paramref name="y"/> [batch, outFeatures] = <paramref name="x"/> [batch, k] times <paramref name="panels"/> (W
    /// [outFeatures, k] in row panels, <see cref="Panels.PackRows"/>) transposed, plus <paramref name="bias"/> (null for none).
    /// </summary>
    public static void Run(FloatKernelPath path, float* panels, int k, int outFeatures, float* x, int batch, float* bias, float* y)
    {
        switch (path)
        {
            case FloatKernelPath.Vector512: Run<Path512, Vector512<float>>(panels, k, outFeatures, x, batch, bias, y); break;
            case FloatKernelPath.Vector256: Run<Path256, Vector256<float>>(panels, k, outFeatures, x, batch, bias, y); break;
            case FloatKernelPath.Vector128: Run<Path128, Vector128<float>>(panels, k, outFeatures, x, batch, bias, y); break;
            default: Run<PathScalar, float>(panels, k, outFeatures, x, batch, bias, y); break;
        }
    }

    private static void Run<TPath, TVector>(float* panels, int k, int outFeatures, float* x, int batch, float* bias, float* y)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
    {
        if (batch < Rows)
        {
            for (int row = 0; row < batch; row++) SingleRow<TPath, TVector>(panels, k, outFeatures, x + (long)row * k, bias, y + (long)row * outFeatures);
            return;
        }
        float* sums = stackalloc float[Rows * Panels.Width];
        for (int panel = 0; panel < Panels.Count(outFeatures); panel++)
        {
            float* weights = panels + (long)panel * k * Panels.Width;
            int first = panel * Panels.Width, outputs = Math.Min(Panels.Width, outFeatures - first);
            for (int row = 0; row < batch; row += Rows)
            {
                int rows = Math.Min(Rows, batch - row);
                float* x0 = x + (long)row * k;
                float* x1 = rows > 1 ? x0 + k : x0, x2 = rows > 2 ? x0 + 2L * k : x0, x3 = rows > 3 ? x0 + 3L * k : x0;
                for (int lane = 0; lane < Panels.Width; lane += TPath.Count)
                {
                    TVector s0 = TPath.Zero, s1 = TPath.Zero, s2 = TPath.Zero, s3 = TPath.Zero;
                    float* w = weights + lane;
                    for (int p = 0; p < k; p++, w += Panels.Width)
                    {
                        TVector wv = TPath.Load(w);
                        s0 = TPath.Add(s0, TPath.Multiply(TPath.Broadcast(x0[p]), wv));
                        s1 = TPath.Add(s1, TPath.Multiply(TPath.Broadcast(x1[p]), wv));
                        s2 = TPath.Add(s2, TPath.Multiply(TPath.Broadcast(x2[p]), wv));
                        s3 = TPath.Add(s3, TPath.Multiply(TPath.Broadcast(x3[p]), wv));
                    }
                    TPath.Store(sums + lane, s0);
                    TPath.Store(sums + Panels.Width + lane, s1);
                    TPath.Store(sums + 2 * Panels.Width + lane, s2);
                    TPath.Store(sums + 3 * Panels.Width + lane, s3);
                }
                for (int r = 0; r < rows; r++)
                {
                    float* target = y + (long)(row + r) * outFeatures + first;
                    for (int o = 0; o < outputs; o++) target[o] = bias == null ? sums[r * Panels.Width + o] : sums[r * Panels.Width + o] + bias[first + o];
                }
            }
        }
    }

    /// <summary>
    /// One input row (a batch below four): four output vectors at a time instead of four rows, so that four
    /// independent sums hide the add latency; each output's order is the same. The vectors are taken in output order,
    /// both halves of a panel together where a panel holds two or more, so that a few outputs (a 10-class classifier)
    /// run as one loop of independent sums rather than one after another, and every weight line is read once.
    /// </summary>
    private static void SingleRow<TPath, TVector>(float* panels, int k, int outFeatures, float* x, float* bias, float* y)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
    {
        const int Group = 4;
        float* sums = stackalloc float[Group * Panels.Width];
        int vectors = (outFeatures + TPath.Count - 1) / TPath.Count;
        for (int first = 0; first < vectors; first += Group)
        {
            int here = Math.Min(Group, vectors - first);
            float* w0 = VectorStart<TPath, TVector>(panels, k, first);
            float* w1 = here > 1 ? VectorStart<TPath, TVector>(panels, k, first + 1) : w0;
            float* w2 = here > 2 ? VectorStart<TPath, TVector>(panels, k, first + 2) : w0;
            float* w3 = here > 3 ? VectorStart<TPath, TVector>(panels, k, first + 3) : w0;
            TVector s0 = TPath.Zero, s1 = TPath.Zero, s2 = TPath.Zero, s3 = TPath.Zero;
            for (int p = 0, at = 0; p < k; p++, at += Panels.Width)
            {
                TVector xv = TPath.Broadcast(x[p]);
                s0 = TPath.Add(s0, TPath.Multiply(xv, TPath.Load(w0 + at)));
                s1 = TPath.Add(s1, TPath.Multiply(xv, TPath.Load(w1 + at)));
                s2 = TPath.Add(s2, TPath.Multiply(xv, TPath.Load(w2 + at)));
                s3 = TPath.Add(s3, TPath.Multiply(xv, TPath.Load(w3 + at)));
            }
            TPath.Store(sums, s0);
            TPath.Store(sums + TPath.Count, s1);
            TPath.Store(sums + 2 * TPath.Count, s2);
            TPath.Store(sums + 3 * TPath.Count, s3);
            int output = first * TPath.Count, outputs = Math.Min(here * TPath.Count, outFeatures - output);
            for (int o = 0; o < outputs; o++) y[output + o] = bias == null ? sums[o] : sums[o] + bias[output + o];
        }
    }

    /// <summary>Where output vector <paramref name="vector"/> (outputs from vector × Count on) starts at k = 0 in the row panels.</summary>
    private static float* VectorStart<TPath, TVector>(float* panels, int k, int vector)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
    {
        int output = vector * TPath.Count;
        return panels + (long)(output / Panels.Width) * k * Panels.Width + output % Panels.Width;
    }
}
