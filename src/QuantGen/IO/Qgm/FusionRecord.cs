using QuantGen.Kernels;
using QuantGen.Nn;

namespace QuantGen.IO.Qgm;

/// <summary>
/// What a convolution or linear layer absorbed when it was fused, as the file's <c>fusions</c> spell it:
/// <c>BatchNorm2d</c>, <c>ReLU</c>, <c>ReLU6</c>, or a BatchNorm and an activation joined by <c>+</c>. <c>BatchNorm2d</c>
/// stands for any folded BatchNorm (a Conv1d's or a Linear's BatchNorm1d too): the file records that a fold happened,
/// and the folded values. A ConvTranspose2d absorbs only a BatchNorm, a standalone BatchNorm2d only a ReLU (PyTorch's
/// <c>fuse_modules</c> fuses no more).
/// </summary>
internal readonly record struct FusionRecord(bool FoldedBatchNorm, FusedActivation Activation)
{
    private const string BatchNorm = "BatchNorm2d";

    /// <summary>The layer's fusion, or null if it absorbed nothing (or is not a convolution or linear layer).</summary>
    public static FusionRecord? Of(Module module)
    {
        var record = module switch
        {
            Conv2d conv => new FusionRecord(conv.HasFoldedBatchNorm, conv.Activation),
            Linear linear => new FusionRecord(linear.HasFoldedBatchNorm, linear.Activation),
            ConvTranspose2d transposed => new FusionRecord(transposed.HasFoldedBatchNorm, FusedActivation.None),
            BatchNorm2d batchNorm => new FusionRecord(false, batchNorm.Activation),
            _ => default,
        };
        return record == default ? null : record;
    }

    public override string ToString() => (FoldedBatchNorm, Activation) switch
    {
        (true, FusedActivation.None) => BatchNorm,
        (true, var activation) => $"{BatchNorm}+{activation}",
        (false, var activation) => activation.ToString(),
    };

    public static bool TryParse(string text, out FusionRecord record)
    {
        string[] parts = text.Split('+');
        bool folded = parts[0] == BatchNorm;
        string? activation = folded ? parts.ElementAtOrDefault(1) : parts[0];
        int expectedParts = (folded ? 1 : 0) + (activation is null ? 0 : 1);
        record = (activation, parts.Length == expectedParts) switch
        {
            (null, true) => new FusionRecord(true, FusedActivation.None),
            (nameof(FusedActivation.ReLU), true) => new FusionRecord(folded, FusedActivation.ReLU),
            (nameof(FusedActivation.ReLU6), true) => new FusionRecord(folded, FusedActivation.ReLU6),
            _ => default,
        };
        return record != default;
    }

    /// <summary>Gives a freshly built layer this fusion's structure; the folded values are loaded afterwards.</summary>
    public void ApplyTo(Layer layer)
    {
        switch (layer)
        {
            case Conv2d conv:
                if (FoldedBatchNorm) conv.MarkBatchNormFolded();
                conv.Activation = Activation;
                break;
            case Linear linear:
                if (FoldedBatchNorm) linear.MarkBatchNormFolded();
                linear.Activation = Activation;
                break;
            case ConvTranspose2d transposed:
                transposed.MarkBatchNormFolded();
                break;
            case BatchNorm2d batchNorm:
                batchNorm.Activation = Activation;
                break;
        }
    }

    /// <summary>Whether a layer of this type can have been fused this way.</summary>
    public bool Fits(Module module) => module switch
    {
        Conv2d or Linear => true,
        ConvTranspose2d => FoldedBatchNorm && Activation == FusedActivation.None,
        BatchNorm2d => !FoldedBatchNorm && Activation == FusedActivation.ReLU,
        _ => false,
    };

    public static string Spellings => $"{BatchNorm}, ReLU, ReLU6, {BatchNorm}+ReLU, {BatchNorm}+ReLU6";
}
