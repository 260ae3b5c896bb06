using System.Buffers.Binary;
using System.IO.Compression;

namespace QuantGen.IO;

/// <summary>
/// Reads LeCun's idx format of unsigned bytes, raw or gzipped (told apart by the gzip magic bytes, not the
/// file name): a big-endian magic <c>0x000008DD</c> (0x08 = unsigned byte, DD = number of dimensions), one
/// big-endian int32 per dimension, then the values, row-major.
/// </summary>
internal static class IdxFile
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    private const int InitialBufferSize = 1 << 20;

    /// <summary>An idx file's dimensions and its values, exactly their product long.</summary>
    public readonly record struct Content(int[] Dims, byte[] Values);

    /// <summary>Reads <paramref name="path"/>, which must start with <paramref name="expectedMagic"/>.</summary>
    /// <exception cref="MnistFormatException">Wrong magic, not gzip-decodable, truncated, or trailing bytes.</exception>
    public static Content Read(string path, int expectedMagic)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using Stream stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return ReadContent(stream, path, expectedMagic);
        }
        catch (InvalidDataException e)
        {
            throw new MnistFormatException(path, $"the gzip data is corrupt ({e.Message}); expected a valid gzip stream", e);
        }
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        int read = file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    private static Content ReadContent(Stream stream, string path, int expectedMagic)
    {
        Span<byte> word = stackalloc byte[4];
        ReadHeaderWord(stream, word, path, "the magic number");
        int magic = BinaryPrimitives.ReadInt32BigEndian(word);
        if (magic != expectedMagic)
        {
            throw new MnistFormatException(path, $"the magic number is 0x{magic:X8}; expected 0x{expectedMagic:X8} ({Describe(expectedMagic)})");
        }

        var dims = new int[expectedMagic & 0xFF];
        for (int i = 0; i < dims.Length; i++)
        {
            ReadHeaderWord(stream, word, path, $"dimension {i}");
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(word);
            if (dims[i] < 0)
            {
                throw new MnistFormatException(path, $"dimension {i} is {dims[i]}; expected a non-negative size");
            }
        }

        long count = 1;
        foreach (int dim in dims)
        {
            // Stopping as soon as the product passes Array.MaxLength keeps it far from overflowing a long.
            count *= dim;
            if (count > Array.MaxLength)
            {
                throw new MnistFormatException(path, $"the header promises {FormatDims(dims)} bytes; expected at most {Array.MaxLength}");
            }
        }

        byte[] values = ReadValues(stream, (int)count, path, dims);
        if (stream.ReadByte() >= 0)
        {
            throw new MnistFormatException(path, $"the data goes on past the {count} bytes its header promises ({FormatDims(dims)}); expected it to end there");
        }
        return new Content(dims, values);
    }

    /// <summary>
    /// Reads exactly <paramref name="count"/> bytes. The buffer grows as data arrives rather than being
    /// sized from the header up front, so a lying header in a small file cannot cause a huge allocation.
    /// </summary>
    private static byte[] ReadValues(Stream stream, int count, string path, int[] dims)
    {
        byte[] buffer = new byte[Math.Min(count, InitialBufferSize)];
        int filled = 0;
        while (filled < count)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(count, 2L * buffer.Length));
            }
            int read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                throw new MnistFormatException(path, $"the data ends after {filled} bytes; expected {count} ({FormatDims(dims)})");
            }
            filled += read;
        }
        return buffer;
    }

    private static void ReadHeaderWord(Stream stream, Span<byte> word, string path, string what)
    {
        int read = stream.ReadAtLeast(word, word.Length, throwOnEndOfStream: false);
        if (read < word.Length)
        {
            throw new MnistFormatException(path, $"the file ends inside the header, in {what}; expected a 4-byte big-endian integer");
        }
    }

    private static string FormatDims(int[] dims) => string.Join(" × ", dims);

    private static string Describe(int magic) => magic switch
    {
        ImagesMagic => "idx3 unsigned bytes: MNIST images",
        LabelsMagic => "idx1 unsigned bytes: MNIST labels",
        _ => $"idx{magic & 0xFF}",
    };
}
