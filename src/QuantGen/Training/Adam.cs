namespace QuantGen.Training;

/// <summary>
/// Adam with L2 weight decay, in float32 with <c>torch.optim.Adam</c>'s formulas and order (its single-tensor path):
/// g = ∇ + wd·p; m = lerp(m, g, 1 − β₁); v = β₂·v + (1 − β₂)·g·g; with bias corrections c₁ = 1 − β₁ᵗ and
/// c₂ = 1 − β₂ᵗ computed in double, p = p − (lr / c₁)·m / (√v / √c₂ + ε).
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly float[]?[] firstMoments;
    private readonly float[]?[] secondMoments;
    private readonly long[] steps;

    public Adam(IEnumerable<Tensor> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0)
        : base(parameters, learningRate)
    {
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), $"beta1 must be in [0, 1), got {beta1}.");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), $"beta2 must be in [0, 1), got {beta2}.");
        if (!(eps >= 0)) throw new ArgumentOutOfRangeException(nameof(eps), $"eps must not be negative, got {eps}.");
        if (weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay must not be negative, got {weightDecay}.");
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        firstMoments = new float[]?[Parameters.Count];
        secondMoments = new float[]?[Parameters.Count];
        steps = new long[Parameters.Count];
    }

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Eps { get; }
    public float WeightDecay { get; }

    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient)
    {
        var m = firstMoments[index] ??= new float[parameter.Length];
        var v = secondMoments[index] ??= new float[parameter.Length];
        long step = ++steps[index];
        // PyTorch computes the corrections from the Python floats β (doubles holding these float values).
        double correction1 = 1 - Math.Pow(Beta1, step), correction2 = 1 - Math.Pow(Beta2, step);
        float stepSize = (float)(LearningRate / correction1), correction2Sqrt = (float)Math.Sqrt(correction2);
        float weight = 1 - Beta1, oneMinusBeta2 = 1 - Beta2;
        for (int i = 0; i < parameter.Length; i++)
        {
            float g = WeightDecay == 0 ? gradient[i] : gradient[i] + WeightDecay * parameter[i];
            m[i] = Lerp(m[i], g, weight);
            v[i] = v[i] * Beta2 + oneMinusBeta2 * g * g;
            float denominator = MathF.Sqrt(v[i]) / correction2Sqrt + Eps;
            parameter[i] += -stepSize * m[i] / denominator;
        }
    }

    /// <summary>PyTorch's lerp: from the nearer end, so that weight 1 gives <paramref name="end"/> exactly.</summary>
    private static float Lerp(float start, float end, float weight) =>
        MathF.Abs(weight) < 0.5f ? start + weight * (end - start) : end - (end - start) * (1 - weight);
}
