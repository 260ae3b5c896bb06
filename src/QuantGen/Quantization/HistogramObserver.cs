namespace QuantGen.Quantization;

/// <summary>
/// Records a running histogram of what it sees and picks the range whose quantization has the least L2 error,
/// as PyTorch 1.13's <c>HistogramObserver</c> (buffers <c>eps</c>, <c>histogram</c>, <c>min_val</c>, <c>max_val</c>).
/// Reproduces 1.13 bit for bit, including its quirks, because QuantGen's fixtures and users' models come from it.
/// </summary>
/// <remarks>
/// <para>The first batch sets [min_val, max_val] to its own range. A later batch that widens the range re-bins the
/// histogram onto the wider range (see <see cref="HistogramMerge"/>) — which pushes max_val up to a whole number of
/// old bins, so max_val can end above every value seen.</para>
/// <para>The 1.13 quirk: each batch is counted with <c>torch.histc(x, bins, min=int(min), max=int(max))</c>, the
/// bounds truncated toward zero, while the bins are read as spanning the true [min_val, max_val]. For MNIST input,
/// [-0.42, 2.82], only values in [0, 2] are counted, into bins that the search reads as covering [-0.42, 2.82].
/// (When both bounds truncate to the same integer, histc uses the batch's own range instead.) Later PyTorch passes
/// the float bounds; QuantGen follows 1.13 so that its parameters equal 1.13's.</para>
/// </remarks>
public class HistogramObserver : Observer
{
    private readonly Tensor histogram;
    private readonly Tensor minVal;
    private readonly Tensor maxVal;
    private readonly int? quantMinArgument;
    private readonly int? quantMaxArgument;

    public HistogramObserver(
        int bins = 2048,
        int upsampleRate = 128,
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
            throw new ArgumentException($"{GetType().Name} observes whole tensors: use a per-tensor scheme.", nameof(qscheme));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(upsampleRate, 1);
        Bins = bins;
        UpsampleRate = upsampleRate;
        quantMinArgument = quantMin;
        quantMaxArgument = quantMax;
        histogram = RegisterBuffer("histogram", Tensor.Zeros(bins));
        minVal = RegisterBuffer("min_val", ScalarBuffer(float.PositiveInfinity));
        maxVal = RegisterBuffer("max_val", ScalarBuffer(float.NegativeInfinity));
    }

    public int Bins { get; }

    /// <summary>Fine cells per bin when a histogram is re-binned onto a wider range.</summary>
    public int UpsampleRate { get; }

    /// <summary>The levels the search quantizes onto: 2^bits of the dtype (256), whatever the quant range.</summary>
    public int TargetBins => 1 << DType.Bits();

    public ReadOnlySpan<float> Histogram => histogram.Span;

    public float MinVal => minVal.Data[0];

    public float MaxVal => maxVal.Data[0];

    public override bool HasObserved => !(MinVal == float.PositiveInfinity && MaxVal == float.NegativeInfinity);

    public override QParams CalculateQParams()
    {
        if (!HasObserved) throw NotCalibrated();
        var (min, max) = HistogramRangeSearch.Search(Histogram, MinVal, MaxVal, TargetBins);
        return PerTensorQParams(min, max);
    }

    public override Observer Clone() =>
        new HistogramObserver(Bins, UpsampleRate, DType, QScheme, ReduceRange, quantMinArgument, quantMaxArgument, Eps);

    protected override void Observe(Tensor input)
    {
        ReadOnlySpan<float> values = input.Span;
        var (batchMin, batchMax) = Extremes.Of(values);

        // A histogram whose range is a single point holds no usable bins: start again from this batch.
        if (!HasObserved || MinVal == MaxVal)
        {
            Store(CountIntegerRange(values, batchMin, batchMax), batchMin, batchMax);
            return;
        }

        var layout = HistogramMerge.AdjustRange(
            MinVal, MaxVal, MathF.Min(batchMin, MinVal), MathF.Max(batchMax, MaxVal), Bins, UpsampleRate);
        float[] counts = CountIntegerRange(values, layout.Min, layout.Max);
        if (layout.Min == MinVal && layout.Max == MaxVal)
        {
            ReadOnlySpan<float> old = Histogram;
            for (int i = 0; i < counts.Length; i++) counts[i] += old[i];
        }
        else
        {
            counts = HistogramMerge.Combine(counts, Histogram, layout, UpsampleRate);
        }
        Store(counts, layout.Min, layout.Max);
    }

    /// <summary>1.13's <c>torch.histc(x, bins, min=int(min), max=int(max))</c>: the bounds truncated toward zero.</summary>
    private float[] CountIntegerRange(ReadOnlySpan<float> values, float min, float max) =>
        Histc.Count(values, Bins, Math.Truncate((double)min), Math.Truncate((double)max));

    private void Store(float[] counts, float min, float max)
    {
        counts.CopyTo(histogram.Data, 0);
        minVal.Data[0] = min;
        maxVal.Data[0] = max;
        histogram.MarkModified();
        minVal.MarkModified();
        maxVal.MarkModified();
    }

    protected override string ExtraRepr() => $"bins={Bins}, {DescribeArguments()}, min_val={MinVal}, max_val={MaxVal}";
}
