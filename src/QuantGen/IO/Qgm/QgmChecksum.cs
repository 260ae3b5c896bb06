using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace QuantGen.IO.Qgm;

/// <summary>
/// A SHA-256 over a file's metadata (all but the checksum itself, by key) and its tensors (name, dtype, shape and
/// bytes, in file order). The container catches a cut or a broken header; this catches a flipped weight byte,
/// which would otherwise load and silently change every output.
/// </summary>
internal static class QgmChecksum
{
    public static string Of(StateDict dict)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (key, value) in dict.Metadata.Where(m => m.Key != QgmFormat.ChecksumKey).OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            AppendText(hash, $"metadata {key}={value}\n");
        }
        foreach (var (name, tensor) in dict)
        {
            AppendText(hash, $"tensor {name} {tensor.DType.Name()} {tensor.Shape} {tensor.Bytes.Length}\n");
            hash.AppendData(tensor.Bytes);
        }
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AppendText(IncrementalHash hash, string text)
    {
        // Length-prefixed, so that no metadata value can pass for a tensor line.
        Span<byte> length = stackalloc byte[sizeof(int)];
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
