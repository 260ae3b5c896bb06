using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>
/// One dynamically quantized linear layer of a generated dynamic pass: an <see cref="Int8DynamicLinear"/> over the
/// int8 weights <c>QuantizeDynamic</c> made, each sample quantized from its own range. Equal bit for bit to the
/// converted layer's eager <c>Forward</c> on that sample alone.
/// </summary>
public sealed class CompiledDynamicLinear
{
    private readonly Int8DynamicLinear kernel;

    private CompiledDynamicLinear(Int8DynamicLinear kernel) => this.kernel = kernel;

    /// <summary>
    /// The dynamic form of the linear layer at <paramref name="path"/>, checked against the generated code's constants;
    /// <paramref name="rowsPerSample"/> rows of one sample are quantized together, so its scratch is one sample's, whatever the pass.
    /// <paramref name="batchNorm"/> is the path of the BatchNorm1d <c>[Fuse("Linear", "BN")]</c> folds into it, which the
    /// model must have folded before it was quantized (<c>QuantizeDynamic()</c> does).
    /// </summary>
    public static CompiledDynamicLinear Create(
        Module model, string path, int inFeatures, int outFeatures, int rowsPerSample, FusedActivation activation, string? batchNorm = null)
    {
        var layer = CompiledModel.Substitute<DynamicQuantizedLinear>(model, path, "Linear");
        CompiledModel.Check(path, "the input features", inFeatures, layer.Source.InFeatures);
        CompiledModel.Check(path, "the output features", outFeatures, layer.Source.OutFeatures);
        CompiledModel.Check(path, "the fused activation ([Fuse])", activation, layer.Source.Activation);
        CompiledModel.Check(path, "a folded BatchNorm ([Fuse])", batchNorm is not null, layer.Source.HasFoldedBatchNorm);
        return new CompiledDynamicLinear(new Int8DynamicLinear(layer.Weight, layer.WeightQParams, layer.Bias, inFeatures, outFeatures, rowsPerSample, activation));
    }

    /// <summary>The same weights with scratch of its own, for another thread.</summary>
    public CompiledDynamicLinear Fork() => new(kernel.Fork());

    /// <summary><paramref name="batch"/> samples: float in, float out.</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch) => kernel.Forward(input, output, batch);
}
