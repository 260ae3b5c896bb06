using QuantGen.Kernels;
using QuantGen.Kernels.Float;
using QuantGen.Nn;

namespace QuantGen.Compiled;

/// <summary>
/// One float linear layer of a generated float pass: <see cref="FloatLinear"/> over every row of the pass (all but
/// the last dimension of every sample), its activation clamping the output in place. Immutable once built: every
/// fork and thread shares it.
/// </summary>
public sealed class CompiledFloatLinear
{
    private readonly float[] packedWeight, bias;
    private readonly int inFeatures, outFeatures;
    private readonly FusedActivation activation;

    private CompiledFloatLinear(float[] weight, float[] bias, int inFeatures, int outFeatures, FusedActivation activation) =>
        (packedWeight, this.bias, this.inFeatures, this.outFeatures, this.activation) = (FloatLinear.Pack(weight, inFeatures, outFeatures), bias, inFeatures, outFeatures, activation);

    /// <summary>
    /// The linear layer at <paramref name="path"/> of a float model, checked against the generated code's constants;
    /// <paramref name="batchNorm"/> is the path of the BatchNorm1d <c>[Fuse("Linear", "BN")]</c> folds into a copy of
    /// its weights (PyTorch's order), unless the model is fused already.
    /// </summary>
    public static CompiledFloatLinear Create(Module model, string path, int inFeatures, int outFeatures, FusedActivation activation, string? batchNorm = null)
    {
        Linear linear = CompiledModel.Layer<Linear>(model, path);
        CompiledModel.Check(path, "the input features", inFeatures, linear.InFeatures);
        CompiledModel.Check(path, "the output features", outFeatures, linear.OutFeatures);
        if (linear.Activation != FusedActivation.None) CompiledModel.Check(path, "the fused activation ([Fuse])", activation, linear.Activation);
        if (batchNorm is null) CompiledModel.Check(path, "a folded BatchNorm ([Fuse])", false, linear.HasFoldedBatchNorm);
        float[] weight = linear.Weight.Data.ToArray();
        float[] bias = linear.Bias?.Data.ToArray() ?? [];
        if (batchNorm is not null && !linear.HasFoldedBatchNorm)
        {
            if (bias.Length == 0) bias = new float[outFeatures];
            Linear.FoldBatchNorm(weight, bias, CompiledModel.Layer<BatchNorm>(model, batchNorm));
        }
        return new CompiledFloatLinear(weight, bias, inFeatures, outFeatures, activation);
    }

    /// <summary>Keeps no scratch of its own: every fork of a generated pass shares this one.</summary>
    public CompiledFloatLinear Fork() => this;

    /// <summary>Any number of rows: float [rows, inFeatures] → float [rows, outFeatures].</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        FloatLinear.ForwardPacked(input, packedWeight, bias, input.Length / inFeatures, inFeatures, outFeatures, output);
        FloatActivation.Apply(activation, output);
    }
}
