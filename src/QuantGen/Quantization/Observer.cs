using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// The base of the observers: modules that sit after a layer during calibration, record statistics of what
/// flows through (<see cref="Forward"/> returns its input unchanged) and turn them into quantization parameters
/// (<see cref="CalculateQParams"/>), as PyTorch's <c>UniformQuantizationObserverBase</c>.
/// </summary>
/// <remarks>
/// Constructor arguments and state-dict names are PyTorch's, so an observer's state dict loads in both
/// directions; like PyTorch's, it starts with the <c>eps</c> buffer. Observers record in training and in eval mode.
/// </remarks>
public abstract class Observer : Module
{
    private readonly Tensor eps;

    protected Observer(QDType dtype, QScheme qscheme, bool reduceRange, int? quantMin, int? quantMax, float eps)
    {
        if (qscheme.IsSymmetric() && reduceRange && dtype == QDType.QUInt8)
        {
            // PyTorch refuses this in MinMaxObserver: zero point 128 would lie outside the reduced range [0, 127].
            throw new ArgumentException("Cannot reduce the range for symmetric quantization to quint8: its zero point (128) would fall outside [0, 127].");
        }
        if (!(eps > 0) || !float.IsFinite(eps))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be positive and finite.");
        }
        DType = dtype;
        QScheme = qscheme;
        ReduceRange = reduceRange;
        Range = QuantRange.For(dtype, reduceRange, quantMin, quantMax);
        this.eps = RegisterBuffer("eps", Tensor.FromArray([eps], 1));
    }

    public QDType DType { get; }

    public QScheme QScheme { get; }

    public bool ReduceRange { get; }

    /// <summary>The integer range the parameters map onto, after <see cref="ReduceRange"/> and any custom bounds.</summary>
    public QuantRange Range { get; }

    public int QuantMin => Range.Min;

    public int QuantMax => Range.Max;

    /// <summary>The smallest scale it will return (PyTorch keeps it as the <c>eps</c> buffer, so a loaded state dict sets it).</summary>
    public float Eps => eps.Data[0];

    /// <summary>True once it has recorded at least one batch (or loaded statistics from a state dict).</summary>
    public abstract bool HasObserved { get; }

    /// <summary>Records the statistics of <paramref name="input"/> and returns it unchanged.</summary>
    /// <exception cref="CalibrationException">The input holds NaN or infinite values; nothing was recorded.</exception>
    public sealed override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Length == 0) return input;
        RejectNonFinite(input.Span);
        Observe(input);
        return input;
    }

    /// <summary>
    /// The quantization parameters for what it has observed. Unlike PyTorch, which warns and returns scale 1 and
    /// zero point 0 before any observation, this throws: those parameters would quantize every layer wrongly.
    /// </summary>
    /// <exception cref="NotCalibratedException">It has observed nothing yet.</exception>
    public abstract QParams CalculateQParams();

    /// <summary>
    /// A new observer with this one's constructor arguments and no statistics: what PyTorch's <c>with_args</c>
    /// factory returns each time it is called, so each layer gets its own.
    /// </summary>
    public abstract Observer Clone();

    /// <summary>Records one batch of finite values.</summary>
    protected abstract void Observe(Tensor input);

    /// <summary>How errors name this observer: its module path, when a model has enumerated it, and its type.</summary>
    protected string DisplayName => Path.Length == 0 ? GetType().Name : $"'{Path}' ({GetType().Name})";

    /// <summary>A 0-dim buffer, as PyTorch's <c>torch.tensor(float("inf"))</c> for <c>min_val</c>.</summary>
    protected static Tensor ScalarBuffer(float value) => new(new Shape(), [value]);

    protected NotCalibratedException NotCalibrated() => new(DisplayName);

    protected QParams PerTensorQParams(float minValue, float maxValue) =>
        QParamsCalculator.PerTensor(minValue, maxValue, DType, QScheme, Range, Eps);

    protected QParams PerChannelQParams(ReadOnlySpan<float> minValues, ReadOnlySpan<float> maxValues, int axis) =>
        QParamsCalculator.PerChannel(minValues, maxValues, axis, DType, QScheme, Range, Eps);

    protected string DescribeArguments() =>
        $"dtype={DType}, qscheme={QScheme}, quant_min={QuantMin}, quant_max={QuantMax}";

    private void RejectNonFinite(ReadOnlySpan<float> values)
    {
        // One cheap pass in the common case; counting only when something is wrong.
        bool allFinite = true;
        foreach (float v in values) allFinite &= float.IsFinite(v);
        if (allFinite) return;

        int nans = 0, infinities = 0;
        foreach (float v in values)
        {
            if (float.IsNaN(v)) nans++;
            else if (float.IsInfinity(v)) infinities++;
        }
        throw new CalibrationException(DisplayName, nans, infinities, values.Length);
    }
}
