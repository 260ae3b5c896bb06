using QuantGen.Kernels;

namespace QuantGen.Nn;

/// <summary>Batch normalisation over the channels of NCHW input, as PyTorch's <c>BatchNorm2d</c>.</summary>
public class BatchNorm2d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true)
    : BatchNorm(numFeatures, eps, momentum, affine)
{
    /// <summary>The ReLU fused into this BatchNorm by <c>FuseModules</c> (PyTorch's <c>BNReLU2d</c>), if any.</summary>
    public FusedActivation Activation { get; internal set; }

    protected override Tensor FloatForward(Tensor input) => Activation.Apply(Normalize(input, useBatchStatistics: Training));

    private protected override bool AcceptsRank(int rank) => rank == 4;

    private protected override string ExpectedShape => $"[N, {NumFeatures}, H, W]";

    protected override string ExtraRepr() => base.ExtraRepr() + Activation.Repr();
}
