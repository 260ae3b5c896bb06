using QuantGen.Kernels;
using QuantGen.Kernels.Float;
using QuantGen.Nn;

namespace QuantGen.Compiled;

/// <summary>
/// One float transposed convolution of a generated float pass: <see cref="FloatConvTranspose2d"/> (eager's kernel) over
/// NCHW samples, a BatchNorm that <c>[Fuse("ConvTranspose", "BN")]</c> folds into it folded into copies of its
/// weights, as fusion folds. Immutable once built: every fork and thread shares it (the kernel's scratch is per thread).
/// </summary>
public sealed class CompiledFloatConvTranspose2d
{
    private readonly ConvTransposeGeometry geometry;
    private readonly float[] weight, bias;

    private CompiledFloatConvTranspose2d(in ConvTransposeGeometry geometry, float[] weight, float[] bias) =>
        (this.geometry, this.weight, this.bias) = (geometry, weight, bias);

    /// <summary>
    /// The transposed convolution at <paramref name="path"/> of a float model, checked against the
    /// <paramref name="geometry"/> (of one sample) the generated code was compiled for; <paramref name="batchNorm"/> is
    /// the path of the BatchNorm2d <c>[Fuse]</c> folds into it, unless the model is fused already.
    /// </summary>
    public static CompiledFloatConvTranspose2d Create(Module model, string path, in ConvTransposeGeometry geometry, string? batchNorm)
    {
        var layer = CompiledModel.Layer<ConvTranspose2d>(model, path);
        CompiledConvTranspose2d.CheckGeometry(path, geometry, layer);
        if (batchNorm is null) CompiledModel.Check(path, "a folded BatchNorm ([Fuse])", false, layer.HasFoldedBatchNorm);
        float[] weight = layer.Weight.Data.ToArray();
        float[] bias = layer.Bias?.Data.ToArray() ?? new float[layer.OutChannels];
        if (batchNorm is not null && !layer.HasFoldedBatchNorm)
        {
            ConvTranspose2d.FoldBatchNorm(weight, bias, CompiledModel.Layer<BatchNorm2d>(model, batchNorm), layer.InChannels, layer.Groups);
        }
        return new CompiledFloatConvTranspose2d(geometry, weight, bias);
    }

    /// <summary>Keeps no scratch of its own: every fork of a generated pass shares this one.</summary>
    public CompiledFloatConvTranspose2d Fork() => this;

    /// <summary><paramref name="batch"/> samples: float [batch, Cin, H, W] → float [batch, Cout, OH, OW].</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch) =>
        FloatConvTranspose2d.Forward(geometry with { Batch = batch }, input, weight, bias, output);
}
