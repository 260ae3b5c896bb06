namespace QuantGen.Nn;

/// <summary>
/// An activation folded into the layer before it (PyTorch's ConvReLU2d, LinearReLU): applied to the layer's
/// output in float, and as the output clamp of the requantize step in int8.
/// </summary>
public enum FusedActivation
{
    None,
    ReLU,
    ReLU6,
}

internal static class FusedActivations
{
    public static Tensor Apply(this FusedActivation activation, Tensor output) => activation switch
    {
        FusedActivation.ReLU => Functional.Relu(output, inplace: true),
        FusedActivation.ReLU6 => Functional.Relu6(output, inplace: true),
        _ => output,
    };

    public static string Repr(this FusedActivation activation) =>
        activation == FusedActivation.None ? "" : $", fused={activation}";
}
