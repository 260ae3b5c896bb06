using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// A BatchNorm2d that follows no convolution it could fold into, in int8: PyTorch's quantized <c>BatchNorm2d</c>, or
/// <c>BNReLU2d</c> when a ReLU was fused into it. Its α and β depend on the input scale, so they are computed for the
/// last input scale seen (one reference, so concurrent callers never see a mix).
/// </summary>
public sealed class QuantizedBatchNorm2d : Module
{
    private sealed record ForScale(float InputScale, float[] Alpha, float[] Beta);

    private ForScale? coefficients;

    internal QuantizedBatchNorm2d(BatchNorm2d source, ActivationQParams output)
    {
        Source = source;
        Output = output;
    }

    /// <summary>The float BatchNorm this came from: its statistics, affine parameters and fused activation.</summary>
    [field: NotAChild]
    public BatchNorm2d Source { get; }

    public ActivationQParams Output { get; }

    /// <summary>α and β per channel for inputs of scale <paramref name="inputScale"/> (<see cref="QBatchNorm2d.Coefficients"/>).</summary>
    public (float[] Alpha, float[] Beta) CoefficientsFor(float inputScale)
    {
        if (coefficients is { } cached && cached.InputScale == inputScale) return (cached.Alpha, cached.Beta);
        var (alpha, beta) = QBatchNorm2d.Coefficients(Source.RunningMean.Data, Source.RunningVar.Data, Source.Weight?.Data, Source.Bias?.Data,
            Source.Eps, inputScale, Output.Scale);
        coefficients = new ForScale(inputScale, alpha, beta);
        return (alpha, beta);
    }

    public override Tensor Forward(Tensor input)
    {
        QuantizedInput.Require(input, this, Source.Activation == QuantGen.Kernels.FusedActivation.ReLU ? "QuantizedBNReLU2d" : "QuantizedBatchNorm2d");
        if (input.Rank != 4 || input.Size(1) != Source.NumFeatures) throw new ShapeMismatchException(Describe(), $"[N, {Source.NumFeatures}, H, W]", input.Shape);
        var (alpha, beta) = CoefficientsFor(input.QuantScale);
        var values = new byte[input.Length];
        QBatchNorm2d.Forward(input.QuantizedData, input.QParams(), alpha, beta, input.Size(0), input.Size(2) * input.Size(3), Output, Source.Activation, values);
        return Tensor.FromQuantized(input.Shape, values, Output.Scale, Output.ZeroPoint);
    }

    protected override string ExtraRepr() => $"{Source.NumFeatures}, scale={Output.Scale}, zero_point={Output.ZeroPoint}{Source.Activation.Repr()}";
}
