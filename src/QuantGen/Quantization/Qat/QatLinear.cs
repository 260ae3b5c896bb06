using QuantGen.Autograd;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// What a Linear layer runs during quantization-aware training, in its place, as PyTorch's <c>qat.Linear</c> and
/// <c>LinearReLU</c>: y = x·fq(W)ᵀ + b, the fused activation, then the output's fake quantization. With a BatchNorm1d
/// fused for training, PyTorch 1.13's <c>LinearBn1d</c>: the BatchNorm stays unfolded (<see cref="QatBatchNorm"/>),
/// normalising with the batch's statistics and updating the running ones until <see cref="BatchNormFrozen"/>.
/// </summary>
/// <remarks>
/// The Linear keeps its parameters and the BatchNorm its own (their state-dict names do not change). Before
/// <c>PrepareQat</c> (fused for training only) there is no weight fake quantization: Linear → BatchNorm in float.
/// </remarks>
public sealed class QatLinear : Module
{
    internal QatLinear(Linear linear, BatchNorm1d? batchNorm, FakeQuantize? weightFakeQuant)
    {
        Linear = linear;
        BatchNorm = batchNorm;
        WeightFakeQuant = weightFakeQuant;
    }

    [field: NotAChild]
    public Linear Linear { get; }

    /// <summary>The BatchNorm1d fused for training, or null for a Linear without one.</summary>
    [field: NotAChild]
    public BatchNorm1d? BatchNorm { get; }

    /// <summary>The weight's fake quantization (a child of <see cref="Linear"/> named <c>weight_fake_quant</c>), or null before <c>PrepareQat</c>.</summary>
    [field: NotAChild]
    public FakeQuantize? WeightFakeQuant { get; }

    /// <summary>True after <c>FreezeBatchNormStats</c>: the BatchNorm uses its running statistics, which no longer move, even in training mode.</summary>
    public bool BatchNormFrozen { get; internal set; }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = GradMode.ForLayer(Linear, input.RequiresGrad);
        Linear.RequireInput(input);
        var output = BatchNorm is null
            ? Functional.Linear(input, FakeQuantized(Linear.Weight), Linear.Bias)
            : ThroughBatchNorm(input, BatchNorm);
        output = Linear.Activation.Apply(output);
        return Linear.OutputObserver is { } observer ? observer.Forward(output) : output;
    }

    /// <summary>The weight as convert will fold it (w·γ/σ), fake-quantized; the output unscaled again before the BatchNorm.</summary>
    private Tensor ThroughBatchNorm(Tensor input, BatchNorm1d batchNorm)
    {
        if (input.Rank != 2)
        {
            throw new ShapeMismatchException(
                $"'{Linear.Path}' is trained with its BatchNorm1d fused (LinearBn1d), which normalises the features of [N, {Linear.InFeatures}] inputs; got {input.Shape}.");
        }
        var scaleFactor = QatBatchNorm.ScaleFactor(batchNorm, Linear.OutFeatures);
        var product = Functional.Linear(input, FakeQuantized(QatBatchNorm.ScaledWeight(Linear.Weight, scaleFactor)), null);
        return QatBatchNorm.Normalized(product, scaleFactor, Linear.Bias, batchNorm, useBatchStatistics: Linear.Training && !BatchNormFrozen);
    }

    private Tensor FakeQuantized(Tensor weight) => WeightFakeQuant?.Forward(weight) ?? weight;

    protected override string ExtraRepr() =>
        $"{(BatchNorm is null ? "" : "BatchNorm unfolded, ")}{(WeightFakeQuant is null ? "float weight" : "fake-quantized weight")}{(BatchNormFrozen ? ", BN frozen" : "")}";
}
