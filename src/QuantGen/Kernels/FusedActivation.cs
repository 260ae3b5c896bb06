namespace QuantGen.Kernels;

/// <summary>
/// An activation folded into the layer before it (PyTorch's ConvReLU2d, LinearReLU): applied to the float
/// layer's output, and in int8 as the requantize step's final clamp, so it costs nothing at run time.
/// </summary>
public enum FusedActivation
{
    None,

    /// <summary>max(x, 0); in int8, clamps below at the output zero point (real 0), as PyTorch's <c>conv2d_relu</c>/<c>linear_relu</c>/<c>add_relu</c>.</summary>
    ReLU,

    /// <summary>
    /// min(max(x, 0), 6); in int8, also clamps above at <c>quantize(6)</c> under the output's qparams. PyTorch runs
    /// ReLU6 after the op on the op's output qparams as <c>clamp(q, zero_point, quantize(6.0))</c> (its quantized
    /// <c>hardtanh</c>), which is the same bytes as clamping inside the op.
    /// </summary>
    ReLU6,
}
