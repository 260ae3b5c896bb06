namespace QuantGen.Nn;

/// <summary>
/// Batch normalisation over the features of [N, C] or the channels of [N, C, L] input, as PyTorch's
/// <c>BatchNorm1d</c>. Folded into the Conv1d or Linear before it by fusion; alone it has no int8 form (PyTorch 1.13
/// has no quantized BatchNorm1d), so eager convert runs it as a float island.
/// </summary>
public sealed class BatchNorm1d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true)
    : BatchNorm(numFeatures, eps, momentum, affine)
{
    private protected override bool AcceptsRank(int rank) => rank is 2 or 3;

    private protected override string ExpectedShape => $"[N, {NumFeatures}] or [N, {NumFeatures}, L]";
}
