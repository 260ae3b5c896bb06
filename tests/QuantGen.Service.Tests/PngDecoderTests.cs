using InferenceService.Imaging;
using InferenceService.Load;

namespace QuantGen.Service.Tests;

/// <summary>
/// The service's PNG decoder against PNGs built here: each of the five row filters reversed, RGB reduced to grey as
/// PIL does, and every damaged or unsupported file a <see cref="PngFormatException"/> saying what and where.
/// </summary>
public sealed class PngDecoderTests
{
    private const long MaxPixels = 1 << 16;

    [Fact]
    public void A_greyscale_PNG_decodes_to_its_pixels()
    {
        byte[] pixels = Enumerable.Range(0, 28 * 28).Select(i => (byte)(i * 7)).ToArray();

        var (width, height, grey) = PngDecoder.Decode(PngEncoder.Greyscale(pixels, 28, 28), MaxPixels);

        Assert.Equal((28, 28), (width, height));
        Assert.Equal(pixels, grey);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Each_row_filter_is_reversed(byte filter)
    {
        // RGB, 5×4, so that Sub, Average and Paeth reach back a whole pixel (3 bytes) and Up a whole row.
        const int width = 5, height = 4, bpp = 3;
        var random = new Random(filter);
        byte[] rgb = new byte[width * height * bpp];
        random.NextBytes(rgb);

        var (_, _, grey) = PngDecoder.Decode(PngFiles.Build(width, height, 8, 2, Filter(rgb, width * bpp, bpp, filter)), MaxPixels);

        for (int p = 0; p < width * height; p++)
        {
            int expected = (int)Math.Round(0.299 * rgb[3 * p] + 0.587 * rgb[3 * p + 1] + 0.114 * rgb[3 * p + 2], MidpointRounding.AwayFromZero);
            Assert.InRange(grey[p], expected - 1, expected + 1);   // PIL's 16-bit fixed point, against the exact weights
        }
    }

    public static TheoryData<string, string> Unsupported => new()
    {
        { "palette", "the image uses a palette (colour type 3)" },
        { "16-bit", "the bit depth is 16; this service reads 8 bits per sample" },
        { "interlaced", "interlace method 1 is not read here" },
        { "grey with alpha", "the image has an alpha channel (colour type 4)" },
        { "too large", "the image is 300×300 = 90000 pixels; this service reads at most 65536" },
        { "zero width", "the image is 0×28; expected both dimensions in [1, 2^31 - 1]" },
        { "filter type 5", "row 0 has filter type 5; expected 0 to 4" },
        { "too little data", "the image data inflates to 812 bytes; the header's size needs 841" },
        { "too much data", "the image data inflates to more than the 841 bytes the header's size needs" },
        { "no IEND", "the file ends at byte" },
        { "not zlib", "the image data is not a valid zlib stream" },
        { "IDAT first", "the first chunk is IDAT; expected IHDR" },
    };

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void Unsupported_and_damaged_files_say_what_is_wrong(string what, string problem)
    {
        byte[] png = what switch
        {
            "palette" => PngFiles.Build(28, 28, 8, 3, Rows(28, 28, 1)),
            "16-bit" => PngFiles.Build(28, 28, 16, 0, Rows(28, 28, 2)),
            "interlaced" => PngFiles.Build(28, 28, 8, 0, Rows(28, 28, 1), interlace: 1),
            "grey with alpha" => PngFiles.Build(28, 28, 8, 4, Rows(28, 28, 2)),
            "too large" => PngFiles.Build(300, 300, 8, 0, []),
            "zero width" => PngFiles.Build(0, 28, 8, 0, []),
            "filter type 5" => PngFiles.Build(28, 28, 8, 0, Rows(28, 28, 1, filter: 5)),
            "too little data" => PngFiles.Build(28, 29, 8, 0, Rows(28, 28, 1)),
            "too much data" => PngFiles.Build(28, 29, 8, 0, Rows(28, 30, 1)),
            "no IEND" => PngEncoder.Greyscale(new byte[784], 28, 28)[..^12],
            "not zlib" => WithIdat("not a zlib stream"u8.ToArray()),
            "IDAT first" => IdatFirst(),
            _ => throw new ArgumentException(what),
        };

        var error = Assert.Throws<PngFormatException>(() => PngDecoder.Decode(png, MaxPixels));

        Assert.Contains(problem, error.Problem);
    }

    [Fact]
    public void Random_damage_is_always_a_PngFormatException_or_an_image()
    {
        byte[] original = PngEncoder.Greyscale(Enumerable.Range(0, 784).Select(i => (byte)i).ToArray(), 28, 28);
        var random = new Random(28);
        for (int i = 0; i < 2000; i++)
        {
            byte[] png = (byte[])original.Clone();
            for (int k = random.Next(1, 4); k > 0; k--) png[random.Next(png.Length)] ^= (byte)(1 << random.Next(8));
            if (random.Next(4) == 0) png = png[..random.Next(png.Length)];
            try
            {
                PngDecoder.Decode(png, MaxPixels);
            }
            catch (PngFormatException)
            {
            }
        }
    }

    private static byte[] Rows(int width, int height, int bytesPerPixel, byte filter = 0)
    {
        var rows = new byte[height * (1 + width * bytesPerPixel)];
        for (int y = 0; y < height; y++) rows[y * (1 + width * bytesPerPixel)] = filter;
        return rows;
    }

    private static byte[] WithIdat(byte[] idat)
    {
        var png = new MemoryStream();
        byte[] valid = PngEncoder.Greyscale(new byte[784], 28, 28);
        png.Write(valid, 0, 33);   // signature and IHDR
        PngEncoder.WriteChunk(png, "IDAT", idat);
        PngEncoder.WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static byte[] IdatFirst()
    {
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        PngEncoder.WriteChunk(png, "IDAT", [1, 2, 3]);
        return png.ToArray();
    }

    /// <summary>Applies one PNG filter to every row, from the raw bytes: what an encoder writes, the inverse of what the decoder does.</summary>
    private static byte[] Filter(byte[] raw, int stride, int bpp, byte filter)
    {
        int height = raw.Length / stride;
        var output = new byte[height * (stride + 1)];
        for (int y = 0; y < height; y++)
        {
            output[y * (stride + 1)] = filter;
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bpp ? raw[y * stride + i - bpp] : 0;
                int b = y > 0 ? raw[(y - 1) * stride + i] : 0;
                int c = i >= bpp && y > 0 ? raw[(y - 1) * stride + i - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    _ => PaethPredictor(a, b, c),
                };
                output[y * (stride + 1) + 1 + i] = (byte)(raw[y * stride + i] - predictor);
            }
        }
        return output;
    }

    private static int PaethPredictor(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }
}
