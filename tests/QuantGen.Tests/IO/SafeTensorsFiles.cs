using System.Buffers.Binary;
using System.Text;

namespace QuantGen.Tests.IO;

/// <summary>
/// Builds safetensors bytes by hand, independently of the library's writer, so tests can craft headers
/// that lie: a length prefix, the JSON text as given, then the data buffer.
/// </summary>
internal static class SafeTensorsFiles
{
    public static byte[] Compose(string headerJson, ReadOnlySpan<byte> data) => Compose(Encoding.UTF8.GetBytes(headerJson), data);

    /// <summary>A file whose header is <paramref name="header"/> as given, valid UTF-8 or not.</summary>
    public static byte[] Compose(byte[] header, ReadOnlySpan<byte> data)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file.AsSpan(8 + header.Length));
        return file;
    }

    public static byte[] Compose(string headerJson, int dataLength) => Compose(headerJson, new byte[dataLength]);

    public static int HeaderLength(ReadOnlySpan<byte> file) => checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));

    public static string HeaderText(byte[] file) => Encoding.UTF8.GetString(file, 8, HeaderLength(file));

    public static ReadOnlySpan<byte> DataBuffer(byte[] file) => file.AsSpan(8 + HeaderLength(file));

    /// <summary>The same file with <paramref name="oldText"/> in its header replaced (it must occur exactly once).</summary>
    public static byte[] ReplaceInHeader(byte[] file, string oldText, string newText)
    {
        string header = HeaderText(file);
        int at = header.IndexOf(oldText, StringComparison.Ordinal);
        Assert.True(at >= 0 && header.IndexOf(oldText, at + 1, StringComparison.Ordinal) < 0,
            $"Test setup: expected '{oldText}' exactly once in the header.");
        return Compose(header.Remove(at, oldText.Length).Insert(at, newText), DataBuffer(file));
    }
}
