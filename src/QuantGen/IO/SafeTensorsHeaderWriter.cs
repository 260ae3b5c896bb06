using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace QuantGen.IO;

/// <summary>
/// Writes the JSON header for a state dict: <c>__metadata__</c> first when there is any (as the reference
/// writer does), then one entry per tensor in the state dict's order, their data laid end to end in that
/// same order. Compact JSON padded with spaces to a multiple of 8 bytes, so the data buffer starts 8-byte
/// aligned in the file.
/// </summary>
internal static class SafeTensorsHeaderWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        // Only quotes, backslashes and control characters need escaping; names stay readable in the file.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <returns>The padded header bytes; <paramref name="dataLength"/> is the size of the data buffer.</returns>
    public static byte[] Write(StateDict dict, out long dataLength)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            if (dict.Metadata.Count > 0)
            {
                json.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (key, value) in dict.Metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, tensor) in dict)
            {
                if (name == SafeTensorsHeader.MetadataKey)
                {
                    throw new SafeTensorsException(dict.Source, name,
                        $"the name \"{SafeTensorsHeader.MetadataKey}\" is reserved for the header's metadata; expected a tensor to be named otherwise");
                }
                WriteEntry(json, name, tensor, offset);
                offset += tensor.Bytes.Length;
            }
            dataLength = offset;
            json.WriteEndObject();
        }

        int padding = (8 - buffer.WrittenCount % 8) % 8;
        byte[] header = new byte[buffer.WrittenCount + padding];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteEntry(Utf8JsonWriter json, string name, TensorData tensor, long offset)
    {
        json.WriteStartObject(name);
        json.WriteString("dtype", tensor.DType.Name());
        json.WriteStartArray("shape");
        foreach (int dim in tensor.Shape.Dims) json.WriteNumberValue(dim);
        json.WriteEndArray();
        json.WriteStartArray("data_offsets");
        json.WriteNumberValue(offset);
        json.WriteNumberValue(offset + tensor.Bytes.Length);
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
