namespace QuantGen.Quantization;

/// <summary>
/// Records the running minimum and maximum of everything it sees, as PyTorch's <c>MinMaxObserver</c>:
/// buffers <c>eps</c>, <c>min_val</c> and <c>max_val</c> (scalars, +Inf and -Inf until the first batch).
/// </summary>
public class MinMaxObserver : Observer
{
    private readonly Tensor minVal;
    private readonly Tensor maxVal;
    private readonly int? quantMinArgument;
    private readonly int? quantMaxArgument;

    public MinMaxObserver(
        QDType dtype = QDType.QUInt8,
        QScheme qscheme = QScheme.PerTensorAffine,
        bool reduceRange = false,
        int? quantMin = null,
        int? quantMax = null,
        float eps = QParamsCalculator.DefaultEps)
        : base(dtype, qscheme, reduceRange, quantMin, quantMax, eps)
    {
        if (qscheme.IsPerChannel())
        {
            throw new ArgumentException($"{GetType().Name} observes whole tensors: use a per-tensor scheme, or PerChannelMinMaxObserver for {qscheme}.", nameof(qscheme));
        }
        quantMinArgument = quantMin;
        quantMaxArgument = quantMax;
        minVal = RegisterBuffer("min_val", ScalarBuffer(float.PositiveInfinity));
        maxVal = RegisterBuffer("max_val", ScalarBuffer(float.NegativeInfinity));
    }

    /// <summary>The smallest value recorded (+Inf before any).</summary>
    public float MinVal => minVal.Data[0];

    /// <summary>The largest value recorded (-Inf before any).</summary>
    public float MaxVal => maxVal.Data[0];

    public override bool HasObserved => !(MinVal == float.PositiveInfinity && MaxVal == float.NegativeInfinity);

    public override QParams CalculateQParams() =>
        HasObserved ? PerTensorQParams(MinVal, MaxVal) : throw NotCalibrated();

    public override Observer Clone() => new MinMaxObserver(DType, QScheme, ReduceRange, quantMinArgument, quantMaxArgument, Eps);

    protected override void Observe(Tensor input)
    {
        var (min, max) = Extremes.Of(input.Span);
        Store(MathF.Min(min, MinVal), MathF.Max(max, MaxVal));
    }

    /// <summary>The constructor's custom range arguments, for subclasses' <see cref="Clone"/>.</summary>
    protected (int? QuantMin, int? QuantMax) RangeArguments => (quantMinArgument, quantMaxArgument);

    protected void Store(float min, float max)
    {
        minVal.Data[0] = min;
        maxVal.Data[0] = max;
        minVal.MarkModified();
        maxVal.MarkModified();
    }

    protected override string ExtraRepr() => $"{DescribeArguments()}, min_val={MinVal}, max_val={MaxVal}";
}
