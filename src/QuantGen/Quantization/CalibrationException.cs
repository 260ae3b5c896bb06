namespace QuantGen.Quantization;

/// <summary>
/// An observer was given calibration data it cannot use: values that are NaN or infinite. Nothing from that
/// batch was recorded, so the observer's statistics are as they were before it.
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

    /// <summary>The observer, by its module path in the model (e.g. <c>'conv1.activation_post_process'</c>) and type.</summary>
    public string Observer { get; }

    public int NanCount { get; }

    public int InfinityCount { get; }

    public int NonFiniteCount => NanCount + InfinityCount;
}
