using System.Buffers.Binary;

namespace InferenceService.Imaging;

/// <summary>The IHDR chunk, limited to what <see cref="PngDecoder"/> reads: 8-bit greyscale or RGB, not interlaced.</summary>
internal readonly record struct PngHeader(int Width, int Height, int Channels)
{
    private const byte Greyscale = 0, Truecolour = 2, Indexed = 3, GreyscaleAlpha = 4, TruecolourAlpha = 6;

    /// <summary>Bytes of one unfiltered row, without its filter-type byte.</summary>
    public int RowBytes => Width * Channels;

    /// <summary>Bytes the image data inflates to: each row with its filter-type byte.</summary>
    public long InflatedLength => (long)Height * (1 + RowBytes);

    public static PngHeader Parse(ReadOnlySpan<byte> data, long maxPixels)
    {
        if (data.Length != 13) throw new PngFormatException($"the IHDR chunk holds {data.Length} bytes; expected 13");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(data), height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        byte bitDepth = data[8], colourType = data[9], compression = data[10], filter = data[11], interlace = data[12];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
        {
            throw new PngFormatException($"the image is {width}×{height}; expected both dimensions in [1, 2^31 - 1]");
        }
        if ((long)width * height > maxPixels)
        {
            throw new PngFormatException($"the image is {width}×{height} = {(long)width * height} pixels; this service reads at most {maxPixels}");
        }
        int channels = colourType switch
        {
            Greyscale => 1,
            Truecolour => 3,
            Indexed => throw new PngFormatException("the image uses a palette (colour type 3); save it as 8-bit greyscale or RGB"),
            GreyscaleAlpha or TruecolourAlpha => throw new PngFormatException($"the image has an alpha channel (colour type {colourType}); save it as 8-bit greyscale or RGB without alpha"),
            _ => throw new PngFormatException($"colour type {colourType} is not one PNG defines; expected 0 (greyscale) or 2 (RGB)"),
        };
        if (bitDepth != 8) throw new PngFormatException($"the bit depth is {bitDepth}; this service reads 8 bits per sample");
        if (compression != 0) throw new PngFormatException($"compression method {compression} is unknown; expected 0 (zlib)");
        if (filter != 0) throw new PngFormatException($"filter method {filter} is unknown; expected 0");
        if (interlace != 0) throw new PngFormatException($"interlace method {interlace} is not read here; save the image without interlacing");
        return new PngHeader((int)width, (int)height, channels);
    }
}
