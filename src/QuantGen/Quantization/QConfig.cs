namespace QuantGen.Quantization;

/// <summary>
/// Which observers quantization inserts, as PyTorch's <c>QConfig</c>: a factory for the observer after each
/// layer's output (activation) and one for each layer's weight. Every call makes a fresh observer, so each layer
/// keeps its own statistics. The presets mirror PyTorch 1.13 exactly; any other combination works the same way:
/// <code>new QConfig(() => new HistogramObserver(), () => new PerChannelMinMaxObserver(dtype: QDType.QInt8, qscheme: QScheme.PerChannelSymmetric))</code>
/// </summary>
public sealed class QConfig
{
    /// <param name="activation">Makes the observer of a layer's output; null for dynamic quantization, where each
    /// call quantizes its input from that input's own range (PyTorch's <c>PlaceholderObserver</c>).</param>
    /// <param name="weight">Makes the observer of a layer's weight.</param>
    public QConfig(Func<Observer>? activation, Func<Observer> weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        Activation = activation;
        Weight = weight;
    }

    public Func<Observer>? Activation { get; }

    public Func<Observer> Weight { get; }

    /// <summary>True when activations are quantized per call rather than from calibration.</summary>
    public bool IsDynamic => Activation is null;

    /// <summary>A fresh activation observer.</summary>
    /// <exception cref="InvalidOperationException">The configuration is dynamic: activations have no observer.</exception>
    public Observer CreateActivationObserver() =>
        Fresh(Activation ?? throw new InvalidOperationException(
            "This QConfig is dynamic: activations are quantized per call from their own range and have no observer."), "activation");

    /// <summary>A fresh weight observer.</summary>
    public Observer CreateWeightObserver() => Fresh(Weight, "weight");

    /// <summary>
    /// PyTorch's <c>default_qconfig</c>: <c>MinMaxObserver.with_args(quant_min=0, quant_max=127)</c> for activations
    /// (quint8 in [0, 127]), <c>MinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric)</c> for weights.
    /// </summary>
    public static QConfig Default { get; } = new(
        () => new MinMaxObserver(quantMin: 0, quantMax: 127),
        PerTensorSymmetricWeights);

    /// <summary>
    /// PyTorch 1.13's <c>get_default_qconfig('fbgemm')</c>: <c>HistogramObserver.with_args(reduce_range=True)</c> for
    /// activations, <c>default_per_channel_weight_observer</c> (per-channel symmetric qint8 MinMax) for weights.
    /// reduce_range keeps activations in [0, 127] so AVX2's saturating <c>vpmaddubsw</c> cannot overflow.
    /// </summary>
    public static QConfig Fbgemm { get; } = new(
        () => new HistogramObserver(reduceRange: true),
        PerChannelSymmetricWeights);

    /// <summary>PyTorch 1.13's <c>get_default_qconfig('x86')</c>: the same observers as <see cref="Fbgemm"/>.</summary>
    public static QConfig X86 { get; } = new(
        () => new HistogramObserver(reduceRange: true),
        PerChannelSymmetricWeights);

    /// <summary>
    /// PyTorch 1.13's <c>get_default_qconfig('qnnpack')</c>: <c>HistogramObserver.with_args(reduce_range=False)</c> for
    /// activations and, for weights, <c>default_weight_observer</c> — per-tensor symmetric qint8, not per-channel.
    /// </summary>
    public static QConfig Qnnpack { get; } = new(
        () => new HistogramObserver(reduceRange: false),
        PerTensorSymmetricWeights);

    /// <summary>
    /// PyTorch 1.13's <c>get_default_qconfig('onednn')</c>: <c>HistogramObserver.with_args(reduce_range=False)</c> for
    /// activations, per-channel symmetric qint8 weights. This is the PyTorch fixture's <c>histogram_per_channel</c>.
    /// </summary>
    public static QConfig Onednn { get; } = new(
        () => new HistogramObserver(reduceRange: false),
        PerChannelSymmetricWeights);

    /// <summary>
    /// PyTorch's <c>default_dynamic_qconfig</c>, for dynamic quantization of Linear: weights per-tensor symmetric qint8
    /// (<c>default_weight_observer</c>); activations quantized on each call from their own range
    /// (<c>default_dynamic_quant_observer</c>, a placeholder that records nothing).
    /// </summary>
    public static QConfig DefaultDynamic { get; } = new(null, PerTensorSymmetricWeights);

    /// <summary>
    /// The preset a <c>[Quantize(Weights = …, Activations = …)]</c> attribute names: per-tensor + MinMax →
    /// <see cref="Default"/>; per-channel + Histogram → <see cref="Onednn"/>; per-tensor + Histogram →
    /// <see cref="Qnnpack"/>; per-channel + MinMax → MinMax activations over [0, 127] as <see cref="Default"/>
    /// with per-channel symmetric weights (PyTorch's <c>default_per_channel_qconfig</c>).
    /// </summary>
    public static QConfig For(WeightScheme weights, ObserverKind activations) => (weights, activations) switch
    {
        (WeightScheme.PerTensorSymmetric, ObserverKind.MinMax) => Default,
        (WeightScheme.PerChannelSymmetric, ObserverKind.Histogram) => Onednn,
        (WeightScheme.PerTensorSymmetric, ObserverKind.Histogram) => Qnnpack,
        (WeightScheme.PerChannelSymmetric, ObserverKind.MinMax) => PerChannelMinMax,
        _ => throw new ArgumentOutOfRangeException(nameof(weights), $"No QConfig for weights {weights} with {activations} activations."),
    };

    /// <summary>PyTorch's <c>default_per_channel_qconfig</c>: MinMax activations over [0, 127], per-channel symmetric qint8 weights.</summary>
    public static QConfig PerChannelMinMax { get; } = new(
        () => new MinMaxObserver(quantMin: 0, quantMax: 127),
        PerChannelSymmetricWeights);

    /// <summary>
    /// PyTorch's <c>default_qat_qconfig</c>, for <c>PrepareQat</c>: moving-average MinMax observers, which follow
    /// ranges that move as the weights train — activations quint8 [0, 255] with reduce_range (so [0, 127]),
    /// weights qint8 [-128, 127] per-tensor symmetric (<c>default_fake_quant</c>, <c>default_weight_fake_quant</c>).
    /// </summary>
    public static QConfig DefaultQat { get; } = new(
        () => new MovingAverageMinMaxObserver(quantMin: 0, quantMax: 255, reduceRange: true),
        () => new MovingAverageMinMaxObserver(dtype: QDType.QInt8, qscheme: QScheme.PerTensorSymmetric, quantMin: -128, quantMax: 127));

    /// <summary>
    /// PyTorch 1.13's <c>get_default_qat_qconfig('fbgemm')</c> observers: activations as <see cref="DefaultQat"/>,
    /// weights per-channel symmetric qint8 with a moving average per channel (<c>default_fused_per_channel_wt_fake_quant</c>).
    /// </summary>
    public static QConfig PerChannelQat { get; } = new(
        () => new MovingAverageMinMaxObserver(quantMin: 0, quantMax: 255, reduceRange: true),
        () => new MovingAveragePerChannelMinMaxObserver(dtype: QDType.QInt8, qscheme: QScheme.PerChannelSymmetric, quantMin: -128, quantMax: 127));

    /// <summary>PyTorch's <c>default_weight_observer</c>.</summary>
    internal static Observer PerTensorSymmetricWeights() =>
        new MinMaxObserver(dtype: QDType.QInt8, qscheme: QScheme.PerTensorSymmetric);

    /// <summary>PyTorch's <c>default_per_channel_weight_observer</c> (channel axis 0).</summary>
    private static Observer PerChannelSymmetricWeights() =>
        new PerChannelMinMaxObserver(dtype: QDType.QInt8, qscheme: QScheme.PerChannelSymmetric);

    private static Observer Fresh(Func<Observer> factory, string role)
    {
        var observer = factory() ?? throw new InvalidOperationException($"The QConfig's {role} factory returned null.");
        if (observer.HasObserved)
        {
            throw new InvalidOperationException(
                $"The QConfig's {role} factory returned an observer that has already observed data; it must create a new one on each call.");
        }
        return observer;
    }
}
