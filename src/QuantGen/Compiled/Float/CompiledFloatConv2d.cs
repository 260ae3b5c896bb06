using QuantGen.Kernels;
using QuantGen.Kernels.Float;
using QuantGen.Nn;

namespace QuantGen.Compiled;

/// <summary>
/// One float convolution of a generated float pass: <see cref="FloatConv2d"/> over NCHW samples with its weights packed
/// once, a BatchNorm that <c>[Fuse]</c> folds into it folded into copies of them (PyTorch's order, as fusion folds), and
/// its activation clamping the output in place. Immutable once built: every fork and thread shares it (the kernels'
/// scratch is per thread).
/// </summary>
public sealed class CompiledFloatConv2d
{
    private readonly ConvGeometry geometry;
    private readonly PackedConvWeights weights;
    private readonly float[] bias;
    private readonly FusedActivation activation;

    private CompiledFloatConv2d(in ConvGeometry geometry, PackedConvWeights weights, float[] bias, FusedActivation activation) =>
        (this.geometry, this.weights, this.bias, this.activation) = (geometry, weights, bias, activation);

    /// <summary>
    /// The convolution at <paramref name="path"/> of a float model, checked against the <paramref name="geometry"/> (of
    /// one sample) the generated code was compiled for. <paramref name="batchNorm"/> is the path of the BatchNorm that
    /// <c>[Fuse]</c> folds into it, unless the model is fused already; <paramref name="activation"/> the activation it fuses.
    /// </summary>
    public static CompiledFloatConv2d Create(Module model, string path, in ConvGeometry geometry, FusedActivation activation, string? batchNorm)
    {
        Conv2d conv = CompiledModel.Layer<Conv2d>(model, path);
        CompiledModel.CheckConv(path, geometry, conv);
        if (conv.Activation != FusedActivation.None) CompiledModel.Check(path, "the fused activation ([Fuse])", activation, conv.Activation);
        if (batchNorm is null) CompiledModel.Check(path, "a folded BatchNorm ([Fuse])", false, conv.HasFoldedBatchNorm);

        float[] weight = conv.Weight.Data.ToArray();
        float[] bias = conv.Bias?.Data.ToArray() ?? new float[conv.OutChannels];
        if (batchNorm is not null && !conv.HasFoldedBatchNorm) Conv2d.FoldBatchNorm(weight, bias, CompiledModel.Layer<BatchNorm>(model, batchNorm));
        return new CompiledFloatConv2d(geometry, PackedConvWeights.Pack(geometry, weight), bias, activation);
    }

    /// <summary>Keeps no scratch of its own: every fork of a generated pass shares this one.</summary>
    public CompiledFloatConv2d Fork() => this;

    /// <summary><paramref name="batch"/> samples: float [batch, Cin, H, W] → float [batch, Cout, OH, OW].</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        FloatConv2d.Forward(geometry with { Batch = batch }, input, weights, bias, output);
        FloatActivation.Apply(activation, output);
    }
}

/// <summary>A fused activation on a float layer's fresh output, in place.</summary>
internal static class FloatActivation
{
    public static void Apply(FusedActivation activation, Span<float> values)
    {
        if (activation == FusedActivation.ReLU) ElementwiseKernels.Clamp(values, 0f, float.PositiveInfinity, values);
        else if (activation == FusedActivation.ReLU6) ElementwiseKernels.Clamp(values, 0f, 6f, values);
    }
}
