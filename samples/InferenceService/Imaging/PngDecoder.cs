using System.Buffers.Binary;
using System.IO.Compression;

namespace InferenceService.Imaging;

/// <summary>
/// Decodes PNG files of 8-bit greyscale or RGB (the forms an MNIST digit is saved in) into one grey byte per pixel,
/// row by row. Every chunk's CRC is checked, the image data inflates (zlib) to exactly what the header's size says,
/// and every failure is a <see cref="PngFormatException"/> naming what and where. Stateless: safe from any thread.
/// </summary>
public static class PngDecoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Whether <paramref name="bytes"/> begin as a PNG file does.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Signature);

    /// <summary>The image's grey levels, <c>Width × Height</c> bytes; RGB becomes grey as PIL's <c>convert("L")</c> does.</summary>
    /// <param name="maxPixels">The largest image accepted, checked before any image data is inflated.</param>
    /// <exception cref="PngFormatException">The bytes are not such a PNG.</exception>
    public static (int Width, int Height, byte[] Grey) Decode(ReadOnlySpan<byte> png, long maxPixels)
    {
        if (!HasSignature(png)) throw new PngFormatException("the bytes do not begin with the PNG signature (89 50 4E 47 0D 0A 1A 0A)");
        PngHeader? header = null;
        using var compressed = new MemoryStream();
        int offset = Signature.Length;
        bool ended = false;
        while (!ended)
        {
            var (type, dataStart, dataLength) = ReadChunk(png, offset);
            ReadOnlySpan<byte> data = png.Slice(dataStart, dataLength);
            int next = dataStart + dataLength + 4;
            switch (type)
            {
                case "IHDR" when header is null && offset == Signature.Length:
                    header = PngHeader.Parse(data, maxPixels);
                    break;
                case "IHDR":
                    throw new PngFormatException($"an IHDR chunk at byte {offset} is not the first chunk; expected exactly one, first");
                case "IDAT" when header is not null:
                    compressed.Write(data);
                    break;
                case "IEND" when header is not null:
                    ended = true;
                    break;
                case var _ when header is null:
                    throw new PngFormatException($"the first chunk is {type}; expected IHDR");
                case var _ when IsCritical(type) && type != "PLTE":
                    throw new PngFormatException($"chunk {type} at byte {offset} is critical but unknown; expected IHDR, PLTE, IDAT, IEND or ancillary chunks");
            }
            offset = next;
        }
        if (compressed.Length == 0) throw new PngFormatException("the file has no IDAT chunk; expected image data before IEND");
        var h = header!.Value;
        byte[] filtered = Inflate(compressed, h.InflatedLength);
        return (h.Width, h.Height, Unfilter(filtered, h));
    }

    /// <summary>The chunk at <paramref name="offset"/>, its CRC checked: its type, and where its data begins and how long it is.</summary>
    private static (string Type, int DataStart, int DataLength) ReadChunk(ReadOnlySpan<byte> png, int offset)
    {
        if (png.Length - offset < 12)
        {
            throw new PngFormatException($"the file ends at byte {png.Length}, inside a chunk header at byte {offset}; expected a chunk (length, type, data, CRC) and finally IEND");
        }
        uint length = BinaryPrimitives.ReadUInt32BigEndian(png[offset..]);
        ReadOnlySpan<byte> typeBytes = png.Slice(offset + 4, 4);
        string type = string.Create(4, typeBytes.ToArray(), (chars, bytes) => { for (int i = 0; i < 4; i++) chars[i] = (char)bytes[i]; });
        if (length > (uint)(png.Length - offset - 12))
        {
            throw new PngFormatException($"chunk {Printable(type)} at byte {offset} says it holds {length} bytes, but only {png.Length - offset - 12} follow; the file is truncated or the length is damaged");
        }
        ReadOnlySpan<byte> data = png.Slice(offset + 8, (int)length);
        uint stored = BinaryPrimitives.ReadUInt32BigEndian(png[(offset + 8 + (int)length)..]);
        uint computed = Crc32.Of(typeBytes, data);
        if (stored != computed)
        {
            throw new PngFormatException($"chunk {Printable(type)} at byte {offset} fails its CRC (0x{stored:X8} stored, 0x{computed:X8} computed); the file is damaged");
        }
        return (type, offset + 8, (int)length);
    }

    private static byte[] Inflate(MemoryStream compressed, long expected)
    {
        compressed.Position = 0;
        var output = new byte[expected];
        try
        {
            using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
            int read = 0;
            while (read < output.Length)
            {
                int n = zlib.Read(output, read, output.Length - read);
                if (n == 0) throw new PngFormatException($"the image data inflates to {read} bytes; the header's size needs {expected}");
                read += n;
            }
            if (zlib.ReadByte() >= 0) throw new PngFormatException($"the image data inflates to more than the {expected} bytes the header's size needs");
        }
        catch (InvalidDataException e)
        {
            throw new PngFormatException($"the image data is not a valid zlib stream ({e.Message})", e);
        }
        return output;
    }

    /// <summary>Reverses the per-row filters (None, Sub, Up, Average, Paeth) and reduces RGB to grey.</summary>
    private static byte[] Unfilter(byte[] filtered, PngHeader h)
    {
        int stride = h.RowBytes, bpp = h.Channels;
        var previous = new byte[stride];
        var current = new byte[stride];
        var grey = new byte[h.Width * h.Height];
        for (int y = 0; y < h.Height; y++)
        {
            int start = y * (stride + 1);
            byte filter = filtered[start];
            var row = filtered.AsSpan(start + 1, stride);
            for (int i = 0; i < stride; i++)
            {
                int left = i >= bpp ? current[i - bpp] : 0, up = previous[i], upLeft = i >= bpp ? previous[i - bpp] : 0;
                current[i] = (byte)(row[i] + filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) >> 1,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new PngFormatException($"row {y} has filter type {filter}; expected 0 to 4"),
                });
            }
            var greyRow = grey.AsSpan(y * h.Width, h.Width);
            if (bpp == 1) current.CopyTo(greyRow);
            else for (int x = 0; x < h.Width; x++) greyRow[x] = Luma(current[3 * x], current[3 * x + 1], current[3 * x + 2]);
            (previous, current) = (current, previous);
        }
        return grey;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>ITU-R 601-2 luma in PIL's fixed point: <c>(R·19595 + G·38470 + B·7471 + 2^15) >> 16</c>.</summary>
    private static byte Luma(byte r, byte g, byte b) => (byte)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);

    // Chunk types are four ASCII letters; bit 5 of the first says ancillary (lower case) or critical (upper case).
    private static bool IsCritical(string type) => char.IsAsciiLetterUpper(type[0]);

    private static string Printable(string type) => type.All(char.IsAsciiLetter) ? type : $"0x{Convert.ToHexString(type.Select(c => (byte)c).ToArray())}";
}
