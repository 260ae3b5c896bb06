namespace QuantGen.Quantization;

/// <summary>A layer's bias in int32 at s_in·s_w, and the input scale it was quantized for.</summary>
internal sealed record QuantizedBias(float InputScale, int[] Values);
