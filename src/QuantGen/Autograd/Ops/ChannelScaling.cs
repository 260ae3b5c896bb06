using System.Numerics;
using QuantGen.Nn;

namespace QuantGen.Autograd;

/// <summary>
/// Per-channel ops whose channel factors may themselves require grad — what quantization-aware Conv+BN needs to
/// scale the weight by γ/σ before fake quantization and undo the scale after the convolution, with gradients
/// reaching the weight, the activations and γ. Channels lie along <c>axis</c> (0 for a weight [O, …], 1 for NCHW).
/// Per-channel sums are taken in double, in a fixed order, so results do not depend on threads.
/// </summary>
internal static class ChannelScaling
{
    /// <summary>y = x · f[c]: dx = dy · f[c], df[c] = Σ dy · x.</summary>
    public static Tensor Multiply(Tensor x, Tensor factors, int axis)
    {
        var (outer, channels, inner) = Split(x, factors, axis);
        var output = Tensor.Uninitialized(x.Shape);
        Map(x.Data, factors.Data, outer, channels, inner, output.Data, Kind.Multiply);
        if (!GradMode.Records(x, factors)) return output;
        return GradNode.Record(output, "MultiplyChannels", [x, factors], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            if (!dx.IsEmpty) Map(dy, factors.Data, outer, channels, inner, dx, Kind.Multiply, accumulate: true);
            var df = inputs.For(1);
            if (!df.IsEmpty) SumProducts(dy, x.Data, outer, channels, inner, df);
        });
    }

    /// <summary>y = x / d[c] (a division, as PyTorch's <c>conv / scale_factor</c>): dx = dy / d[c], dd[c] = −Σ dy · y / d[c].</summary>
    public static Tensor Divide(Tensor x, Tensor divisors, int axis)
    {
        var (outer, channels, inner) = Split(x, divisors, axis);
        var output = Tensor.Uninitialized(x.Shape);
        Map(x.Data, divisors.Data, outer, channels, inner, output.Data, Kind.Divide);
        if (!GradMode.Records(x, divisors)) return output;
        return GradNode.Record(output, "DivideChannels", [x, divisors], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            if (!dx.IsEmpty) Map(dy, divisors.Data, outer, channels, inner, dx, Kind.Divide, accumulate: true);
            var dd = inputs.For(1);
            if (dd.IsEmpty) return;
            var sums = new float[channels];
            SumProducts(dy, output.Data, outer, channels, inner, sums);
            for (int c = 0; c < channels; c++) dd[c] -= sums[c] / divisors.Data[c];
        });
    }

    /// <summary>y = x + b[c]: dx = dy, db[c] = Σ dy.</summary>
    public static Tensor Add(Tensor x, Tensor bias, int axis)
    {
        var (outer, channels, inner) = Split(x, bias, axis);
        var output = Tensor.Uninitialized(x.Shape);
        Map(x.Data, bias.Data, outer, channels, inner, output.Data, Kind.Add);
        if (!GradMode.Records(x, bias)) return output;
        return GradNode.Record(output, "AddChannels", [x, bias], (dy, inputs) =>
        {
            ElementwiseGrad.AddInto(inputs.For(0), dy);
            var db = inputs.For(1);
            if (db.IsEmpty) return;
            SumProducts(dy, null, outer, channels, inner, db);
        });
    }

    private static (int Outer, int Channels, int Inner) Split(Tensor x, Tensor perChannel, int axis)
    {
        var split = Functional.SplitAround(x.Shape, axis);
        if (perChannel.Length != split.Size)
        {
            throw new ShapeMismatchException($"{perChannel} holds {perChannel.Length} values, but {x} has {split.Size} channels along axis {axis}.");
        }
        return split;
    }

    private enum Kind { Multiply, Divide, Add }

    /// <summary>y = x ∘ f[c] for every row of one channel, vectorised (the activations of a whole batch pass here).</summary>
    private static void Map(float[] x, float[] perChannel, int outer, int channels, int inner, Span<float> y, Kind kind, bool accumulate = false)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int c = 0; c < channels; c++)
            {
                int start = (o * channels + c) * inner;
                Row(x.AsSpan(start, inner), perChannel[c], y.Slice(start, inner), kind, accumulate);
            }
        }
    }

    private static void Row(ReadOnlySpan<float> x, float f, Span<float> y, Kind kind, bool accumulate)
    {
        var factor = new Vector<float>(f);
        int i = 0;
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = new Vector<float>(x[i..]);
            var r = kind switch { Kind.Multiply => v * factor, Kind.Divide => v / factor, _ => v + factor };
            if (accumulate) r += new Vector<float>(y[i..]);
            r.CopyTo(y[i..]);
        }
        for (; i < x.Length; i++)
        {
            float r = kind switch { Kind.Multiply => x[i] * f, Kind.Divide => x[i] / f, _ => x[i] + f };
            y[i] = accumulate ? y[i] + r : r;
        }
    }

    /// <summary>target[c] += Σ over channel c of a·b (b null: of a alone).</summary>
    private static void SumProducts(float[] a, float[]? b, int outer, int channels, int inner, Span<float> target)
    {
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int o = 0; o < outer; o++)
            {
                int start = (o * channels + c) * inner;
                for (int i = start; i < start + inner; i++) sum += b is null ? a[i] : (double)a[i] * b[i];
            }
            target[c] += (float)sum;
        }
    }
}
