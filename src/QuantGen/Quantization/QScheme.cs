namespace QuantGen.Quantization;

/// <summary>How a tensor's values map to integers, as PyTorch's <c>torch.qscheme</c>.</summary>
public enum QScheme
{
    /// <summary>One scale and zero point for the whole tensor, the range fitted to [min, max] (with 0 in it).</summary>
    PerTensorAffine,

    /// <summary>One scale for the whole tensor, fitted to max|x|; zero point 0 (qint8) or the middle of the range (quint8).</summary>
    PerTensorSymmetric,

    /// <summary>One affine scale and zero point per slice along the channel axis.</summary>
    PerChannelAffine,

    /// <summary>One symmetric scale per slice along the channel axis: PyTorch's default for weights.</summary>
    PerChannelSymmetric,
}

public static class QSchemeExtensions
{
    public static bool IsPerChannel(this QScheme scheme) => scheme switch
    {
        QScheme.PerTensorAffine or QScheme.PerTensorSymmetric => false,
        QScheme.PerChannelAffine or QScheme.PerChannelSymmetric => true,
        _ => throw Unknown(scheme),
    };

    public static bool IsSymmetric(this QScheme scheme) => scheme switch
    {
        QScheme.PerTensorSymmetric or QScheme.PerChannelSymmetric => true,
        QScheme.PerTensorAffine or QScheme.PerChannelAffine => false,
        _ => throw Unknown(scheme),
    };

    private static ArgumentOutOfRangeException Unknown(QScheme scheme) =>
        new(nameof(scheme), scheme, "Not a quantization scheme.");
}
