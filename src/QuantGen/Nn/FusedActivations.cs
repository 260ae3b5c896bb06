using QuantGen.Kernels;

namespace QuantGen.Nn;

internal static class FusedActivations
{
    /// <summary>Applies the fused activation to a float layer's fresh output, in place.</summary>
    public static Tensor Apply(this FusedActivation activation, Tensor output) => activation switch
    {
        FusedActivation.ReLU => Functional.Relu(output, inplace: true),
        FusedActivation.ReLU6 => Functional.Relu6(output, inplace: true),
        _ => output,
    };

    public static string Repr(this FusedActivation activation) =>
        activation == FusedActivation.None ? "" : $", fused={activation}";
}
