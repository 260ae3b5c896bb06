using System.Buffers.Binary;
using System.IO.Compression;
using InferenceService.Load;

namespace QuantGen.Service.Tests;

/// <summary>PNGs of the kinds the encoder does not write: other colour types and bit depths, each row with a chosen filter.</summary>
internal static class PngFiles
{
    /// <summary>A PNG with the given header fields and already-filtered rows (each row: its filter byte, then its bytes).</summary>
    public static byte[] Build(int width, int height, byte bitDepth, byte colourType, byte[] filteredRows, byte interlace = 0)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        (header[8], header[9], header[12]) = (bitDepth, colourType, interlace);
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) zlib.Write(filteredRows);
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        PngEncoder.WriteChunk(png, "IHDR", header);
        PngEncoder.WriteChunk(png, "IDAT", compressed.ToArray());
        PngEncoder.WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    public static byte[] Rgba(int width, int height) => Build(width, height, 8, 6, new byte[height * (1 + 4 * width)]);
}
