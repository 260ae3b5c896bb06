namespace QuantGen;

/// <summary>How a <see cref="QuantizeAttribute"/> class is quantized, as PyTorch's three workflows.</summary>
public enum QuantMode
{
    /// <summary>Post-training static quantization: weights and activations in int8, activation ranges from calibration.</summary>
    Static,

    /// <summary>Dynamic quantization: int8 weights, activation ranges measured per call (Linear layers).</summary>
    Dynamic,

    /// <summary>Quantization-aware training: fake-quantize during training, then convert as in <see cref="Static"/>.</summary>
    Qat,
}

/// <summary>How weights are quantized.</summary>
public enum WeightScheme
{
    /// <summary>One symmetric scale for the whole weight tensor (qint8, zero point 0).</summary>
    PerTensorSymmetric,

    /// <summary>One symmetric scale per output channel (axis 0 of the weight), as PyTorch's fbgemm default.</summary>
    PerChannelSymmetric,
}

/// <summary>The observer that measures activation ranges during calibration.</summary>
public enum ObserverKind
{
    /// <summary>The running minimum and maximum (PyTorch's <c>MinMaxObserver</c>).</summary>
    MinMax,

    /// <summary>A histogram with PyTorch's L2-error range search (<c>HistogramObserver</c>).</summary>
    Histogram,
}
