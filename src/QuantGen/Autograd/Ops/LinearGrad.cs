using System.Buffers;
using QuantGen.Kernels.Float;

namespace QuantGen.Autograd;

/// <summary>Gradients of y = x·Wᵀ + b over the last dimension, as two GEMMs and a column sum.</summary>
internal static class LinearGrad
{
    public static Tensor Record(Tensor output, Tensor input, Tensor weight, Tensor? bias) =>
        GradNode.Record(output, "Linear", [input, weight, bias], (dy, inputs) =>
        {
            int outFeatures = weight.Size(0), inFeatures = weight.Size(1), rows = input.Length / inFeatures;
            var dx = inputs.For(0);
            if (!dx.IsEmpty)
            {
                // dx [rows, in] += dy [rows, out] · W [out, in]
                Sgemm.Multiply(rows, inFeatures, outFeatures, dy, outFeatures, weight.Data, inFeatures, dx, inFeatures, accumulate: true);
            }
            var dw = inputs.For(1);
            if (!dw.IsEmpty) WeightGradient(dy, input.Data, rows, inFeatures, outFeatures, dw);
            var db = inputs.For(2);
            for (int r = 0; r < rows && !db.IsEmpty; r++) ElementwiseGrad.AddInto(db, dy.AsSpan(r * outFeatures, outFeatures));
        });

    /// <summary>dW [out, in] += dyᵀ [out, rows] · x [rows, in]; dy is transposed first, since the GEMM reads row-major operands.</summary>
    private static void WeightGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int rows, int inFeatures, int outFeatures, Span<float> dw)
    {
        float[] transposed = ArrayPool<float>.Shared.Rent(rows * outFeatures);
        try
        {
            for (int r = 0; r < rows; r++)
            {
                for (int o = 0; o < outFeatures; o++) transposed[o * rows + r] = dy[r * outFeatures + o];
            }
            Sgemm.Multiply(outFeatures, inFeatures, rows, transposed.AsSpan(0, rows * outFeatures), rows, x, inFeatures, dw, inFeatures, accumulate: true);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(transposed);
        }
    }
}
