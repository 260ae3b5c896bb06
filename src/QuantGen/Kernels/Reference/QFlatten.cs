namespace QuantGen.Kernels.Reference;

/// <summary>
/// Flatten [N, C, H, W] → [N, C·H·W] on quint8 data: nothing to compute. NCHW row-major bytes already are the
/// flattened rows in PyTorch's order, and the qparams pass through unchanged (PyTorch's flatten of a quantized
/// tensor is a reshape; a channels-last tensor is first copied into this same NCHW order).
/// </summary>
public static class QFlatten
{
    /// <summary>Returns <paramref name="nchw"/> itself: the flattened view of the same bytes.</summary>
    public static ReadOnlySpan<byte> Forward(ReadOnlySpan<byte> nchw) => nchw;
}
