namespace QuantGen.Quantization;

/// <summary>
/// Records an exponential moving average of each batch's minimum and maximum, as PyTorch's
/// <c>MovingAverageMinMaxObserver</c>: the first batch sets them, then <c>min += c · (batch_min − min)</c>
/// (likewise max) with c = <see cref="AveragingConstant"/>, in float32 as PyTorch computes it.
/// </summary>
public class MovingAverageMinMaxObserver : MinMaxObserver
{
    public MovingAverageMinMaxObserver(
        float averagingConstant = 0.01f,
        QDType dtype = QDType.QUInt8,
        QScheme qscheme = QScheme.PerTensorAffine,
        bool reduceRange = false,
        int? quantMin = null,
        int? quantMax = null,
        float eps = QParamsCalculator.DefaultEps)
        : base(dtype, qscheme, reduceRange, quantMin, quantMax, eps)
    {
        if (!(averagingConstant > 0 && averagingConstant <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(averagingConstant), averagingConstant, "The averaging constant must be in (0, 1].");
        }
        AveragingConstant = averagingConstant;
    }

    public float AveragingConstant { get; }

    public override Observer Clone() =>
        new MovingAverageMinMaxObserver(AveragingConstant, DType, QScheme, ReduceRange, RangeArguments.QuantMin, RangeArguments.QuantMax, Eps);

    protected override void Observe(Tensor input)
    {
        var (min, max) = Extremes.Of(input.Span);
        if (!HasObserved)
        {
            Store(min, max);
            return;
        }
        Store(MovingAverage.Step(MinVal, min, AveragingConstant), MovingAverage.Step(MaxVal, max, AveragingConstant));
    }
}
