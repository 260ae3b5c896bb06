using QuantGen.Autograd;

namespace QuantGen.Nn;

/// <summary>
/// Batch normalisation over the channels (dimension 1) of its input, as PyTorch's <c>_BatchNorm</c>: learnable
/// <c>weight</c>/<c>bias</c>, buffers <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>.
/// In eval mode it uses the running statistics; in training mode the batch's, updating the running ones.
/// <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/> differ only in the input ranks they accept.
/// </summary>
public abstract class BatchNorm : Layer
{
    private long batchesTracked;

    // Eval mode's per-channel scale and shift, with the versions of the four tensors they came from.
    private sealed record Coefficients(float[] Scale, float[] Shift, int MeanVersion, int VarVersion, int WeightVersion, int BiasVersion);

    private Coefficients? coefficients;

    private protected BatchNorm(int numFeatures, float eps, float momentum, bool affine)
    {
        if (numFeatures <= 0) throw new ArgumentException($"{GetType().Name}: num_features must be positive, got {numFeatures}.");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Full(1f, numFeatures));
            Bias = RegisterParameter("bias", Tensor.Zeros(numFeatures));
        }
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
        RunningVar = RegisterBuffer("running_var", Tensor.Full(1f, numFeatures));
        RegisterInt64Buffer("num_batches_tracked", () => batchesTracked, v => batchesTracked = v);
    }

    public int NumFeatures { get; }
    public float Eps { get; }
    public float Momentum { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }
    public long NumBatchesTracked => batchesTracked;

    protected override Tensor FloatForward(Tensor input) => Normalize(input, useBatchStatistics: Training);

    /// <summary>
    /// What folding this (eval-mode) BatchNorm into the layer before it does to channel <paramref name="c"/>, in
    /// PyTorch's order (<c>fuse_conv_bn_weights</c>): r = 1/√(var+ε), the weights times γ·r, the bias (b − mean)·r·γ + β.
    /// </summary>
    internal (float WeightScale, float Bias) Folding(int c, float bias)
    {
        float rsqrt = 1f / MathF.Sqrt(RunningVar.Data[c] + Eps);
        float gamma = Weight?.Data[c] ?? 1f, beta = Bias?.Data[c] ?? 0f;
        float shifted = (bias - RunningMean.Data[c]) * rsqrt;
        return (gamma * rsqrt, shifted * gamma + beta);
    }

    /// <summary>
    /// Normalises with the batch's statistics (updating the running ones) or with the running statistics, whatever
    /// the module's mode: quantization-aware Conv+BN chooses, as PyTorch's <c>freeze_bn_stats</c> keeps BN in eval
    /// mode while the model trains.
    /// </summary>
    internal Tensor Normalize(Tensor input, bool useBatchStatistics)
    {
        if (!AcceptsRank(input.Rank) || input.Size(1) != NumFeatures)
        {
            throw InputShapeError(ExpectedShape, input);
        }
        if (!useBatchStatistics)
        {
            var current = EvalCoefficients();
            var normalized = Functional.ScaleShiftChannels(input, current.Scale, current.Shift);
            return GradMode.Records(input, Weight, Bias) ? RecordEvalGradient(normalized, input, current) : normalized;
        }

        var (mean, biasedVar, count) = BatchStatistics(input);
        if (count < 2) throw new ArgumentException($"{Describe()} in training mode needs more than one value per channel, got input {input.Shape}.");
        for (int c = 0; c < NumFeatures; c++)
        {
            double unbiased = biasedVar[c] * count / (count - 1);
            RunningMean.Data[c] = (float)((1 - Momentum) * RunningMean.Data[c] + Momentum * mean[c]);
            RunningVar.Data[c] = (float)((1 - Momentum) * RunningVar.Data[c] + Momentum * unbiased);
        }
        RunningMean.MarkModified();
        RunningVar.MarkModified();
        batchesTracked++;
        var batchMean = Array.ConvertAll(mean, v => (float)v);
        var batchVar = Array.ConvertAll(biasedVar, v => (float)v);
        var output = Functional.BatchNormInference(
            input, Tensor.FromArray(batchMean, NumFeatures), Tensor.FromArray(batchVar, NumFeatures), Weight, Bias, Eps);
        return GradMode.Records(input, Weight, Bias)
            ? BatchNormGrad.RecordTraining(output, input, Weight, Bias, batchMean, InverseStd(batchVar))
            : output;
    }

    /// <summary>Whether an input of this rank is one this module normalises.</summary>
    private protected abstract bool AcceptsRank(int rank);

    /// <summary>The input shapes it accepts, for the error when another arrives: <c>[N, 8, H, W]</c>.</summary>
    private protected abstract string ExpectedShape { get; }

    private Tensor RecordEvalGradient(Tensor output, Tensor input, Coefficients current) =>
        BatchNormGrad.RecordEval(output, input, Weight, Bias, current.Scale, (float[])RunningMean.Data.Clone(), InverseStd(RunningVar.Data));

    /// <summary>1/√(var + ε) per channel, rounded as <see cref="Functional.BatchNormCoefficients"/> rounds it.</summary>
    private float[] InverseStd(float[] variance) => Array.ConvertAll(variance, v => (float)(1.0 / Math.Sqrt(v + (double)Eps)));

    /// <summary>Eval mode's α and β per channel, as <see cref="Functional.BatchNormCoefficients"/> computes them (what a compiled float island runs).</summary>
    internal (float[] Scale, float[] Shift) EvalScaleAndShift()
    {
        var current = EvalCoefficients();
        return (current.Scale, current.Shift);
    }

    private Coefficients EvalCoefficients()
    {
        if (coefficients is { } cached &&
            cached.MeanVersion == RunningMean.Version && cached.VarVersion == RunningVar.Version &&
            cached.WeightVersion == (Weight?.Version ?? 0) && cached.BiasVersion == (Bias?.Version ?? 0))
        {
            return cached;
        }
        var (scale, shift) = Functional.BatchNormCoefficients(RunningMean, RunningVar, Weight, Bias, Eps);
        var fresh = new Coefficients(scale, shift, RunningMean.Version, RunningVar.Version, Weight?.Version ?? 0, Bias?.Version ?? 0);
        coefficients = fresh;
        return fresh;
    }

    private (double[] Mean, double[] Variance, long Count) BatchStatistics(Tensor input)
    {
        int batch = input.Size(0), plane = batch == 0 ? 0 : input.Length / (batch * NumFeatures);
        var mean = new double[NumFeatures];
        var variance = new double[NumFeatures];
        for (int c = 0; c < NumFeatures; c++)
        {
            double sum = 0, squares = 0;
            for (int n = 0; n < batch; n++)
            {
                foreach (float v in input.Data.AsSpan((n * NumFeatures + c) * plane, plane))
                {
                    sum += v;
                    squares += (double)v * v;
                }
            }
            long count = (long)batch * plane;
            mean[c] = sum / count;
            variance[c] = Math.Max(squares / count - mean[c] * mean[c], 0);
        }
        return (mean, variance, (long)batch * plane);
    }

    protected override string ExtraRepr() => $"{NumFeatures}, eps={Eps}, momentum={Momentum}, affine={Weight is not null}";
}
