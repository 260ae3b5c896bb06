namespace QuantGen;

public sealed partial class Tensor
{
    /// <summary>
    /// For the quint8 output of a layer kept in float: the exact float values it was quantized from. Layers kept in float
    /// and the final dequantize read these instead of the rounded bytes; every other layer reads the bytes.
    /// </summary>
    internal Tensor? KeptFloat { get; private init; }

    /// <summary>A quantized view of <paramref name="quantized"/> that also carries <paramref name="floats"/>, the values behind it.</summary>
    internal static Tensor WithKeptFloat(Tensor quantized, Tensor floats) =>
        new(quantized.Shape, quantized.quantized!.Values, quantized.quantized.ChannelsLast, quantized.QuantScale, quantized.QuantZeroPoint) { KeptFloat = floats };
}
