namespace QuantGen.Nn;

/// <summary>Batch normalisation over the channels of NCHW input, as PyTorch's <c>BatchNorm2d</c>.</summary>
public class BatchNorm2d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true)
    : BatchNorm(numFeatures, eps, momentum, affine)
{
    private protected override bool AcceptsRank(int rank) => rank == 4;

    private protected override string ExpectedShape => $"[N, {NumFeatures}, H, W]";
}
