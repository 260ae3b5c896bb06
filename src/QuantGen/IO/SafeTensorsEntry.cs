namespace QuantGen.IO;

/// <summary>
/// One tensor's description from a safetensors header. <see cref="Begin"/> and <see cref="End"/> are byte
/// offsets into the data buffer (which starts after the header), end exclusive.
/// </summary>
internal readonly record struct SafeTensorsEntry(string Name, DType DType, Shape Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;

    public string OffsetsText => $"[{Begin}, {End}]";
}
