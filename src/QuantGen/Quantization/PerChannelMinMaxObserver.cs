namespace QuantGen.Quantization;

/// <summary>
/// Records the running minimum and maximum of each slice along <see cref="ChannelAxis"/> (axis 0 of a weight:
/// one per output channel), as PyTorch's <c>PerChannelMinMaxObserver</c>.
/// </summary>
/// <remarks>
/// As in PyTorch, <c>min_val</c> and <c>max_val</c> are vectors of length 0 until the first batch fixes the
/// channel count, so the observer needs no channel count up front and a state dict saved before calibration
/// has the same shapes as PyTorch's. Loading a state dict accepts vectors of any length (PyTorch resizes too).
/// </remarks>
public class PerChannelMinMaxObserver : Observer
{
    private Tensor minVal = Tensor.Zeros(0);
    private Tensor maxVal = Tensor.Zeros(0);
    private readonly int? quantMinArgument;
    private readonly int? quantMaxArgument;

    public PerChannelMinMaxObserver(
        int chAxis = 0,
        QDType dtype = QDType.QUInt8,
        QScheme qscheme = QScheme.PerChannelAffine,
        bool reduceRange = false,
        int? quantMin = null,
        int? quantMax = null,
        float eps = QParamsCalculator.DefaultEps)
        : base(dtype, qscheme, reduceRange, quantMin, quantMax, eps)
    {
        if (!qscheme.IsPerChannel())
        {
            throw new ArgumentException($"{GetType().Name} observes channels: use a per-channel scheme, or MinMaxObserver for {qscheme}.", nameof(qscheme));
        }
        // Non-negative so that QParams.Axis can name it without knowing the rank (-1 there means per-tensor).
        ArgumentOutOfRangeException.ThrowIfNegative(chAxis);
        ChannelAxis = chAxis;
        quantMinArgument = quantMin;
        quantMaxArgument = quantMax;
        RegisterResizableBuffer("min_val", () => minVal, t => minVal = t);
        RegisterResizableBuffer("max_val", () => maxVal, t => maxVal = t);
    }

    /// <summary>The axis whose slices get their own parameters (0 for Conv2d/Linear weights); counted from the front only.</summary>
    public int ChannelAxis { get; }

    /// <summary>The minimum per channel (empty before any batch).</summary>
    public ReadOnlySpan<float> MinVal => minVal.Span;

    /// <summary>The maximum per channel (empty before any batch).</summary>
    public ReadOnlySpan<float> MaxVal => maxVal.Span;

    public override bool HasObserved => minVal.Length > 0 && maxVal.Length > 0;

    public override QParams CalculateQParams()
    {
        if (!HasObserved) throw NotCalibrated();
        if (minVal.Length != maxVal.Length)
        {
            throw new InvalidOperationException($"{DisplayName} holds {minVal.Length} minima but {maxVal.Length} maxima; was a state dict loaded from two different observers?");
        }
        return PerChannelQParams(MinVal, MaxVal, ChannelAxis);
    }

    public override Observer Clone() => new PerChannelMinMaxObserver(ChannelAxis, DType, QScheme, ReduceRange, quantMinArgument, quantMaxArgument, Eps);

    protected override void Observe(Tensor input)
    {
        var (min, max) = ChannelExtremes(input);
        if (!HasObserved)
        {
            Store(min, max);
            return;
        }
        for (int c = 0; c < min.Length; c++)
        {
            min[c] = MathF.Min(min[c], minVal.Data[c]);
            max[c] = MathF.Max(max[c], maxVal.Data[c]);
        }
        Store(min, max);
    }

    /// <summary>The constructor's custom range arguments, for subclasses' <see cref="Clone"/>.</summary>
    protected (int? QuantMin, int? QuantMax) RangeArguments => (quantMinArgument, quantMaxArgument);

    /// <summary>Per-channel extremes of <paramref name="input"/>, checked against the channel count already recorded.</summary>
    protected (float[] Min, float[] Max) ChannelExtremes(Tensor input)
    {
        if (ChannelAxis >= input.Rank)
        {
            throw InputShapeError($"a tensor with a channel axis {ChannelAxis}", input);
        }
        if (HasObserved && input.Size(ChannelAxis) != minVal.Length)
        {
            throw InputShapeError($"{minVal.Length} channels along axis {ChannelAxis}, as in the batches before", input);
        }
        return Extremes.PerSlice(input, ChannelAxis);
    }

    protected void Store(float[] min, float[] max)
    {
        minVal = Tensor.FromArray(min, min.Length);
        maxVal = Tensor.FromArray(max, max.Length);
    }

    protected override string ExtraRepr() =>
        $"ch_axis={ChannelAxis}, {DescribeArguments()}, channels={minVal.Length}";
}
