namespace QuantGen.Quantization;

/// <summary>
/// An observer was given calibration data it cannot use: values that are NaN or infinite (nothing from that batch
/// was recorded, so the observer's statistics are as they were before it), or, at the model's input, values that are
/// all zero (or within a few eps of it), from which no usable int8 scale follows.
/// </summary>
public sealed class CalibrationException : QuantGenException
{
    public CalibrationException(string observer, int nanCount, int infinityCount, long batchSize)
        : base($"{observer} saw {nanCount + infinityCount} non-finite values ({nanCount} NaN, {infinityCount} ±Inf) " +
               $"in a batch of {batchSize}. Calibration statistics must come from finite data: clean the calibration " +
               "set (or find the layer upstream that overflows) and run calibration again.")
    {
        Observer = observer;
        NanCount = nanCount;
        InfinityCount = infinityCount;
    }

    /// <summary>Calibration data the observer saw is unusable for another reason than NaN or infinity, which <paramref name="message"/> gives.</summary>
    public CalibrationException(string observer, string message)
        : base(message)
    {
        Observer = observer;
    }

    /// <summary>The observer, by its module path in the model (e.g. <c>'conv1.activation_post_process'</c>) and type.</summary>
    public string Observer { get; }

    public int NanCount { get; }

    public int InfinityCount { get; }

    public int NonFiniteCount => NanCount + InfinityCount;
}
