using System.Buffers.Binary;
using System.IO.Compression;
using InferenceService.Imaging;

namespace InferenceService.Load;

/// <summary>Writes 8-bit greyscale PNGs (filter None on every row), the way a client would send an MNIST digit.</summary>
public static class PngEncoder
{
    public static byte[] Greyscale(ReadOnlySpan<byte> pixels, int width, int height)
    {
        var rows = new byte[height * (width + 1)];
        for (int y = 0; y < height; y++) pixels.Slice(y * width, width).CopyTo(rows.AsSpan(y * (width + 1) + 1));
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(rows);

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;   // bit depth; colour type 0 (grey), compression, filter and interlace 0
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    public static void WriteChunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        byte[] typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        png.Write(typeBytes);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Of(typeBytes, data));
        png.Write(word);
    }
}
