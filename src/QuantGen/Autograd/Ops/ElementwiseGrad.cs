using System.Numerics;

namespace QuantGen.Autograd;

/// <summary>Gradients of the element-wise ops: add, reshape (a view), clamp (ReLU, ReLU6), dropout and the pointwise activations.</summary>
internal static class ElementwiseGrad
{
    public static Tensor RecordAdd(Tensor output, Tensor a, Tensor b) =>
        GradNode.Record(output, "Add", [a, b], static (dy, inputs) =>
        {
            AddInto(inputs.For(0), dy);
            AddInto(inputs.For(1), dy);
        });

    /// <summary>A reshape keeps the values in order, so the gradient is the output's, seen with the input's shape.</summary>
    public static Tensor RecordReshape(Tensor output, Tensor input) =>
        GradNode.Record(output, "Reshape", [input], static (dy, inputs) => AddInto(inputs.For(0), dy));

    /// <summary>
    /// Clamp passes the gradient where the output is strictly inside (min, max): PyTorch's ReLU (x &gt; 0) and
    /// ReLU6/hardtanh (0 &lt; x &lt; 6). Read from the output, so the input may be released or overwritten.
    /// </summary>
    public static Tensor RecordClamp(Tensor output, Tensor input, float min, float max) =>
        GradNode.Record(output, "Clamp", [input], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            if (dx.IsEmpty) return;
            var y = output.Data;
            for (int i = 0; i < dx.Length; i++)
            {
                if (y[i] > min && y[i] < max) dx[i] += dy[i];
            }
        });

    /// <summary>Dropout scales the kept values: the gradient is dy·scale where kept, else 0.</summary>
    public static Tensor RecordMask(Tensor output, Tensor input, float[] scaleByElement) =>
        GradNode.Record(output, "Dropout", [input], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] * scaleByElement[i];
        });

    /// <summary>
    /// A pointwise activation y = f(x): dx += dy·f′(x, y). The input's values are copied, so the input may be released
    /// or overwritten before backward.
    /// </summary>
    public static Tensor RecordPointwise(Tensor output, Tensor input, string op, Func<float, float, float> derivative)
    {
        float[] x = (float[])input.Data.Clone();
        return GradNode.Record(output, op, [input], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            var y = output.Data;
            for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] * derivative(x[i], y[i]);
        });
    }

    /// <summary>target += source, vectorised.</summary>
    public static void AddInto(Span<float> target, ReadOnlySpan<float> source)
    {
        if (target.IsEmpty) return;
        int i = 0;
        for (; i <= target.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            (new Vector<float>(target[i..]) + new Vector<float>(source[i..])).CopyTo(target[i..]);
        }
        for (; i < target.Length; i++) target[i] += source[i];
    }
}
