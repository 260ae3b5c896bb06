namespace QuantGen.Nn;

/// <summary>
/// Normalises over the trailing <see cref="NormalizedShape"/> dimensions, as PyTorch's <c>LayerNorm</c>
/// (<c>weight</c> and <c>bias</c> of that shape). Has no int8 kernel: stays float in a quantized model.
/// </summary>
public sealed class LayerNorm : Layer
{
    public LayerNorm(int normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true)
        : this([normalizedShape], eps, elementwiseAffine)
    {
    }

    public LayerNorm(int[] normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true)
    {
        NormalizedShape = new Shape(normalizedShape);
        if (NormalizedShape.Rank == 0 || NormalizedShape.ElementCount == 0)
        {
            throw new ArgumentException($"LayerNorm: normalized_shape must be non-empty, got {NormalizedShape}.");
        }
        Eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Tensor.Full(1f, normalizedShape));
            Bias = RegisterParameter("bias", Tensor.Zeros(normalizedShape));
        }
    }

    public Shape NormalizedShape { get; }
    public float Eps { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }

    protected override Tensor FloatForward(Tensor input)
    {
        int rank = NormalizedShape.Rank;
        if (input.Rank < rank || !input.Shape.Dims[^rank..].SequenceEqual(NormalizedShape.Dims))
        {
            throw InputShapeError($"[*, {NormalizedShape.ToString()[1..^1]}]", input);
        }
        return Functional.LayerNorm(input, (int)NormalizedShape.ElementCount, Weight, Bias, Eps);
    }

    protected override string ExtraRepr() => $"{NormalizedShape}, eps={Eps}, elementwise_affine={Weight is not null}";
}
