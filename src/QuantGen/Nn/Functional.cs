namespace QuantGen.Nn;

/// <summary>Stateless operations, as <c>torch.nn.functional</c>.</summary>
public static partial class Functional
{
    /// <summary>Element-wise <paramref name="a"/> + <paramref name="b"/> of equal shapes (a residual add).</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        if (a.Shape != b.Shape)
        {
            throw new ShapeMismatchException($"Cannot add tensors of shapes {a.Shape} and {b.Shape}: a residual add needs equal shapes.");
        }
        var result = new Tensor(a.Shape);
        ReadOnlySpan<float> x = a.Data, y = b.Data;
        Span<float> z = result.Data;
        for (int i = 0; i < z.Length; i++) z[i] = x[i] + y[i];
        return result;
    }
}
