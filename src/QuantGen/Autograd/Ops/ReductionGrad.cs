namespace QuantGen.Autograd;

/// <summary>Gradients of the reductions.</summary>
internal static class ReductionGrad
{
    /// <summary>A mean along the middle axis of [outer, size, inner]: each input gets its output's gradient / size.</summary>
    public static Tensor RecordMean(Tensor output, Tensor input, int outer, int size, int inner) =>
        GradNode.Record(output, "Mean", [input], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            if (dx.IsEmpty) return;
            for (int o = 0; o < outer; o++)
            {
                for (int i = 0; i < size; i++)
                {
                    int at = (o * size + i) * inner;
                    for (int k = 0; k < inner; k++) dx[at + k] += dy[o * inner + k] / size;
                }
            }
        });
}
