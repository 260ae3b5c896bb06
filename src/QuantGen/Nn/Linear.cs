using QuantGen.Kernels;
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
    public Tensor? Bias { get; }

    /// <summary>The activation fused into this layer by <c>FuseModules</c>, if any.</summary>
    public FusedActivation Activation { get; internal set; }

    protected override Tensor FloatForward(Tensor input)
    {
        RequireInput(input);
        return Activation.Apply(Functional.Linear(input, Weight, Bias));
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
