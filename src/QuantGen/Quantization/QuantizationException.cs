namespace QuantGen.Quantization;

/// <summary>The quantization workflow was used out of order or on a model it cannot handle; the message says what to do.</summary>
public sealed class QuantizationException(string message) : QuantGenException(message);
