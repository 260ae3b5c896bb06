using System.Buffers.Binary;
using System.IO.Compression;

namespace QuantGen.Tests.IO;

/// <summary>Writes small idx files by hand (big-endian header, then bytes), optionally gzipped.</summary>
internal static class IdxFiles
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    public static byte[] Images(int count, int rows, int cols, byte[] pixels) => Idx(ImagesMagic, [count, rows, cols], pixels);

    public static byte[] Labels(params byte[] labels) => Idx(LabelsMagic, [labels.Length], labels);

    public static byte[] Idx(int magic, int[] dims, byte[] values)
    {
        var file = new byte[4 + 4 * dims.Length + values.Length];
        BinaryPrimitives.WriteInt32BigEndian(file, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4 + 4 * i), dims[i]);
        values.CopyTo(file, 4 + 4 * dims.Length);
        return file;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal)) gzip.Write(raw);
        return output.ToArray();
    }

    /// <summary>Pixels 0, 1, 2, … wrapping at 256.</summary>
    public static byte[] Ramp(int length) => Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
}
