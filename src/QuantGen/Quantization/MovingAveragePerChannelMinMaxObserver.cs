namespace QuantGen.Quantization;

/// <summary>
/// A moving average of each channel's minimum and maximum, as PyTorch's <c>MovingAveragePerChannelMinMaxObserver</c>:
/// the update of <see cref="MovingAverageMinMaxObserver"/>, channel by channel.
/// </summary>
public class MovingAveragePerChannelMinMaxObserver : PerChannelMinMaxObserver
{
    public MovingAveragePerChannelMinMaxObserver(
        float averagingConstant = 0.01f,
        int chAxis = 0,
        QDType dtype = QDType.QUInt8,
        QScheme qscheme = QScheme.PerChannelAffine,
        bool reduceRange = false,
        int? quantMin = null,
        int? quantMax = null,
        float eps = QParamsCalculator.DefaultEps)
        : base(chAxis, dtype, qscheme, reduceRange, quantMin, quantMax, eps)
    {
        if (!(averagingConstant > 0 && averagingConstant <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(averagingConstant), averagingConstant, "The averaging constant must be in (0, 1].");
        }
        AveragingConstant = averagingConstant;
    }

    public float AveragingConstant { get; }

    public override Observer Clone() =>
        new MovingAveragePerChannelMinMaxObserver(AveragingConstant, ChannelAxis, DType, QScheme, ReduceRange, RangeArguments.QuantMin, RangeArguments.QuantMax, Eps);

    protected override void Observe(Tensor input)
    {
        var (min, max) = ChannelExtremes(input);
        if (HasObserved)
        {
            for (int c = 0; c < min.Length; c++)
            {
                min[c] = MovingAverage.Step(MinVal[c], min[c], AveragingConstant);
                max[c] = MovingAverage.Step(MaxVal[c], max[c], AveragingConstant);
            }
        }
        Store(min, max);
    }
}
