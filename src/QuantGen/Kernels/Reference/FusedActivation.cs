namespace QuantGen.Kernels.Reference;

/// <summary>An activation folded into an int8 op's final clamp, so it costs nothing at run time.</summary>
public enum FusedActivation
{
    None,

    /// <summary>Clamps below at the output zero point (real 0), as PyTorch's <c>conv2d_relu</c>/<c>linear_relu</c>/<c>add_relu</c>.</summary>
    Relu,

    /// <summary>
    /// Also clamps above at <c>quantize(6)</c> under the output's qparams. PyTorch runs ReLU6 after the op on the op's
    /// output qparams as <c>clamp(q, zero_point, quantize(6.0))</c> (its quantized <c>hardtanh</c>), which is the same
    /// bytes as clamping inside the op.
    /// </summary>
    Relu6,
}
