namespace QuantGen.Quantization;

/// <summary>
/// Quantization parameters were asked of an observer that has seen no data. PyTorch warns and returns scale 1,
/// zero point 0 here; a model quantized with those silently produces garbage, so QuantGen stops instead.
/// </summary>
public sealed class NotCalibratedException : QuantGenException
{
    public NotCalibratedException(string observer)
        : base($"{observer} has observed no data, so it has no quantization parameters: calibration has not run. " +
               "Run the model on calibration inputs (a few hundred representative samples) before converting it.")
    {
        Observer = observer;
    }

    /// <summary>The observer, by its module path in the model and type.</summary>
    public string Observer { get; }
}
