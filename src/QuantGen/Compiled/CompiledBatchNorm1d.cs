using QuantGen.Kernels.Float;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>
/// A BatchNorm1d that no layer before it absorbed, as a float island (PyTorch 1.13 has no quantized BatchNorm1d):
/// eval mode's per-channel scale and shift, the same kernel and coefficients as the eager float island.
/// </summary>
public sealed class CompiledBatchNorm1d : CompiledFloatIsland
{
    private readonly float[] scale, shift;
    private readonly int features, length;

    private CompiledBatchNorm1d(BatchNorm1d layer, ActivationQParams input, ActivationQParams output, int features, int length, int channels, int pixels)
        : base(input, output, channels, pixels)
    {
        (scale, shift) = layer.EvalScaleAndShift();
        (this.features, this.length) = (features, length);
    }

    /// <summary>The BatchNorm1d at <paramref name="path"/> over samples of [<paramref name="features"/>, <paramref name="length"/>].</summary>
    public static CompiledBatchNorm1d Create(Module model, string path, ActivationQParams input, int features, int length, int channels = 1, int pixels = 1)
    {
        FloatIsland island = Island(model, path, "BatchNorm1d");
        var layer = (BatchNorm1d)island.Layer;
        CompiledModel.Check(path, "the features", features, layer.NumFeatures);
        return new CompiledBatchNorm1d(layer, input, island.Output, features, length, channels, pixels);
    }

    /// <summary>Keeps no scratch (the caller lends it to <c>Forward</c>): every fork of a generated pass shares this one.</summary>
    public CompiledBatchNorm1d Fork() => this;

    private protected override void Run(ReadOnlySpan<float> input, Span<float> output) =>
        ElementwiseKernels.ScaleShiftChannels(input, scale, shift, input.Length / (features * length), features, length, output);
}
