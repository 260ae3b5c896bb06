using QuantGen.Kernels;
using QuantGen.Kernels.Float;
namespace QuantGen.Nn;

/// <summary>y = x·Wᵀ + b over the last dimension, as PyTorch's <c>Linear</c> (<c>weight</c> [out, in], <c>bias</c> [out]).</summary>
public class Linear : Layer
{
    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
        {
            throw new ArgumentException($"Linear: features must be positive, got in={inFeatures}, out={outFeatures}.");
        }
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Tensor.Zeros(outFeatures, inFeatures));
        Init.DefaultUniform(Weight, inFeatures);
        if (bias)
        {
            Bias = RegisterParameter("bias", Tensor.Zeros(outFeatures));
            Init.DefaultUniform(Bias, inFeatures);
        }
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; private set; }

    /// <summary>The activation fused into this layer by <c>FuseModules</c>, if any.</summary>
    public FusedActivation Activation { get; internal set; }

    /// <summary>True once a BatchNorm1d has been folded into the weights.</summary>
    public bool HasFoldedBatchNorm { get; private set; }

    /// <summary>True when the fold registered <see cref="Bias"/>: the float model, built with <c>bias: false</c>, had none.</summary>
    internal bool BiasAddedByFolding { get; private set; }

    /// <summary>
    /// Folds an eval-mode BatchNorm1d over this layer's output features into its weight and bias, in float32 and in
    /// PyTorch's order (<c>fuse_linear_bn_weights</c>, which differs from the convolution's): s = γ·(1/√(var+ε)),
    /// w·s per output feature, b' = (b − mean)·s + β.
    /// </summary>
    internal void FoldBatchNorm(BatchNorm1d bn)
    {
        var bias = MarkBatchNormFolded();
        FoldBatchNorm(Weight.Data, bias.Data, bn);
        Weight.MarkModified();
        bias.MarkModified();
    }

    /// <summary>The fold of <paramref name="bn"/> into a weight [outFeatures, inFeatures] and its bias (one per output feature).</summary>
    internal static void FoldBatchNorm(Span<float> weight, Span<float> bias, BatchNorm bn)
    {
        int outFeatures = bias.Length, inFeatures = weight.Length / outFeatures;
        for (int o = 0; o < outFeatures; o++)
        {
            float scale = (bn.Weight?.Data[o] ?? 1f) * (1f / MathF.Sqrt(bn.RunningVar.Data[o] + bn.Eps));
            foreach (ref float w in weight.Slice(o * inFeatures, inFeatures)) w *= scale;
            bias[o] = (bias[o] - bn.RunningMean.Data[o]) * scale + (bn.Bias?.Data[o] ?? 0f);
        }
    }

    /// <summary>The structural half of a fold, as <see cref="Conv2d.MarkBatchNormFolded"/>: the bias it needs, and the mark.</summary>
    internal Tensor MarkBatchNormFolded()
    {
        if (Bias is null)
        {
            Bias = RegisterParameter("bias", Tensor.Zeros(OutFeatures));
            BiasAddedByFolding = true;
        }
        HasFoldedBatchNorm = true;
        return Bias;
    }

    protected override Tensor FloatForward(Tensor input)
    {
        RequireInput(input);
        return Activation.Apply(Functional.Linear(input, Weight, Bias, PackedWeight()));
    }

    // The packed weight with the weight version it came from: one reference, so threads never see a mix.
    private sealed record PackedAt(float[] Panels, int Version);

    private PackedAt? packed;

    /// <summary>
    /// The weight in the kernel's layout, packed once and reused while <see cref="Tensor.Version"/> stays the same
    /// (repacking costs as much as the product at batch 1); null in training mode, where the weight changes every step.
    /// </summary>
    private float[]? PackedWeight()
    {
        if (Training) return null;
        if (packed is { } cached && cached.Version == Weight.Version) return cached.Panels;
        var fresh = new PackedAt(FloatLinear.Pack(Weight.Data, InFeatures, OutFeatures), Weight.Version);
        packed = fresh;
        return fresh.Panels;
    }

    /// <summary>Throws unless the last dimension of <paramref name="input"/> is <see cref="InFeatures"/>.</summary>
    internal void RequireInput(Tensor input)
    {
        if (input.Rank < 1 || input.Size(-1) != InFeatures)
        {
            throw InputShapeError($"[*, {InFeatures}]", input);
        }
    }

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={Bias is not null}{Activation.Repr()}";
}
