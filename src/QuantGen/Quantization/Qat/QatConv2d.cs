using QuantGen.Autograd;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// What a convolution runs during quantization-aware training, in its place: PyTorch's <c>qat.Conv2d</c> and
/// <c>ConvReLU2d</c> (weight fake-quantized, then the convolution), or, with the BatchNorm fused for training,
/// <c>ConvBn2d</c>/<c>ConvBnReLU2d</c>, whose <c>_forward</c> keeps the BatchNorm unfolded:
/// the weight is scaled by s = γ/√(running_var + ε) and fake-quantized — so training sees the weight that
/// convert will fold and quantize — and the convolution's output is divided by s again before the BatchNorm,
/// which normalises with the batch's statistics and updates the running ones until <see cref="BatchNormFrozen"/>.
/// Then the fused activation, and the output's fake quantization.
/// </summary>
/// <remarks>
/// The conv keeps its parameters and the BatchNorm its own (their state-dict names do not change); the weight's
/// fake quantization is the conv's child <c>weight_fake_quant</c>, the output's its <c>activation_post_process</c>.
/// Before <c>PrepareQat</c> (fused for training only) there is no weight fake quantization: conv → BN → activation in float.
/// </remarks>
public sealed class QatConv2d : Module
{
    internal QatConv2d(Conv2d conv, BatchNorm? batchNorm, FakeQuantize? weightFakeQuant)
    {
        Conv = conv;
        BatchNorm = batchNorm;
        WeightFakeQuant = weightFakeQuant;
    }

    [field: NotAChild]
    public Conv2d Conv { get; }

    /// <summary>The BatchNorm fused for training, or null for a convolution without one.</summary>
    [field: NotAChild]
    public Nn.BatchNorm? BatchNorm { get; }

    /// <summary>The weight's fake quantization (a child of <see cref="Conv"/>), or null before <c>PrepareQat</c>.</summary>
    [field: NotAChild]
    public FakeQuantize? WeightFakeQuant { get; }

    /// <summary>True after <c>FreezeBatchNormStats</c>: the BatchNorm uses its running statistics, which no longer move, even in training mode.</summary>
    public bool BatchNormFrozen { get; internal set; }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = GradMode.ForLayer(Conv, input.RequiresGrad);
        var geometry = Conv.GeometryFor(input);
        var output = BatchNorm is null
            ? Conv.Shaped(Functional.Conv2d(input, FakeQuantized(Conv.Weight), Conv.Bias, geometry), geometry)
            : ThroughBatchNorm(input, geometry, BatchNorm);
        output = Conv.Activation.Apply(output);
        return Conv.OutputObserver is { } observer ? observer.Forward(output) : output;
    }

    /// <summary>The weight as convert will fold it (w·γ/σ), fake-quantized; the output unscaled again before the BatchNorm.</summary>
    private Tensor ThroughBatchNorm(Tensor input, Kernels.ConvGeometry geometry, Nn.BatchNorm batchNorm)
    {
        var scaleFactor = QatBatchNorm.ScaleFactor(batchNorm, Conv.OutChannels);
        var convolved = Conv.Shaped(Functional.Conv2d(input, FakeQuantized(QatBatchNorm.ScaledWeight(Conv.Weight, scaleFactor)), null, geometry), geometry);
        return QatBatchNorm.Normalized(convolved, scaleFactor, Conv.Bias, batchNorm, useBatchStatistics: Conv.Training && !BatchNormFrozen);
    }

    private Tensor FakeQuantized(Tensor weight) => WeightFakeQuant?.Forward(weight) ?? weight;

    protected override string ExtraRepr() =>
        $"{(BatchNorm is null ? "" : "BatchNorm unfolded, ")}{(WeightFakeQuant is null ? "float weight" : "fake-quantized weight")}{(BatchNormFrozen ? ", BN frozen" : "")}";
}
