namespace QuantGen.Autograd;

/// <summary>
/// Gradients of the broadcasting element-wise ops and of concatenation. An input read by several output elements
/// (a broadcast one) sums their gradients, as PyTorch reduces over the broadcast dimensions.
/// </summary>
internal static class BroadcastGrad
{
    /// <summary>y[o] = a[ai[o]] + b[bi[o]]: da[ai[o]] += dy[o], db[bi[o]] += dy[o].</summary>
    public static Tensor RecordAdd(Tensor output, Tensor a, Tensor b, int[] ai, int[] bi) =>
        GradNode.Record(output, "Add", [a, b], (dy, inputs) =>
        {
            Scatter(inputs.For(0), dy, ai);
            Scatter(inputs.For(1), dy, bi);
        });

    /// <summary>y[o] = a[ai[o]] · b[bi[o]]: da[ai[o]] += dy[o]·b[bi[o]], db[bi[o]] += dy[o]·a[ai[o]] (inputs copied).</summary>
    public static Tensor RecordMul(Tensor output, Tensor a, Tensor b, int[] ai, int[] bi)
    {
        float[] x = (float[])a.Data.Clone(), y = (float[])b.Data.Clone();
        return GradNode.Record(output, "Mul", [a, b], (dy, inputs) =>
        {
            var da = inputs.For(0);
            if (!da.IsEmpty) for (int o = 0; o < dy.Length; o++) da[ai[o]] += dy[o] * y[bi[o]];
            var db = inputs.For(1);
            if (!db.IsEmpty) for (int o = 0; o < dy.Length; o++) db[bi[o]] += dy[o] * x[ai[o]];
        });
    }

    /// <summary>Concatenation in blocks: each of <paramref name="outer"/> rows holds one block of each input in turn.</summary>
    public static Tensor RecordCat(Tensor output, Tensor[] inputs, int outer) =>
        GradNode.Record(output, "Cat", inputs, (dy, sink) =>
        {
            int at = 0;
            for (int row = 0; row < outer; row++)
            {
                for (int i = 0; i < inputs.Length; i++)
                {
                    int block = inputs[i].Length / outer;
                    var dx = sink.For(i);
                    if (!dx.IsEmpty) ElementwiseGrad.AddInto(dx.Slice(row * block, block), dy.AsSpan(at, block));
                    at += block;
                }
            }
        });

    private static void Scatter(Span<float> target, float[] dy, int[] index)
    {
        if (target.IsEmpty) return;
        for (int o = 0; o < dy.Length; o++) target[index[o]] += dy[o];
    }
}
