using System.Buffers.Binary;

namespace QuantGen.Tests.IO.Fuzzing;

/// <summary>
/// Damage at the byte level, as a cut download or a bad disk does it, for files in the safetensors container (an
/// 8-byte length prefix, the JSON header, the data). Each returns a description for the failure message.
/// </summary>
internal static class ByteMutations
{
    // Bytes that change JSON's meaning rather than just a value.
    private static readonly byte[] JsonBytes = "{}[]\":,-0123456789.eE \\nu"u8.ToArray();

    /// <summary>
    /// Changes 1–8 bytes within one region picked per call: the length prefix (rarely, as almost any change there is
    /// caught at once), the JSON header (mostly), or anywhere. In the header, digits tend to become other digits so
    /// that shapes and offsets lie while the JSON stays valid.
    /// </summary>
    public static string FlipBytes(byte[] file, Random random, int headerEnd)
    {
        (int from, int to, string region) = random.Next(10) switch
        {
            0 => (0, 8, "prefix"),
            < 8 => (8, headerEnd, "header"),
            _ => (0, file.Length, "anywhere"),
        };
        int count = random.Next(1, 9);
        var changes = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            int position = random.Next(from, to);
            byte before = file[position];
            file[position] = random.Next(3) switch
            {
                0 when char.IsAsciiDigit((char)before) => (byte)('0' + random.Next(10)),
                1 => JsonBytes[random.Next(JsonBytes.Length)],
                _ => (byte)(before ^ (1 << random.Next(8))),
            };
            changes.Add($"byte {position} 0x{before:X2}->0x{file[position]:X2}");
        }
        return $"flipped in the {region}: " + string.Join(", ", changes);
    }

    /// <summary>Cuts the file short: usually inside the prefix or header, sometimes inside the data.</summary>
    public static string Truncate(ref byte[] file, Random random, int headerEnd)
    {
        int length = random.Next(2) == 0 ? random.Next(headerEnd + 1) : random.Next(headerEnd, file.Length);
        file = file[..length];
        return $"truncated to {length} bytes";
    }

    /// <summary>Rewrites the header length prefix: a little off, zero, past the end, or a number no array can hold.</summary>
    public static string EditLengthPrefix(byte[] file, Random random)
    {
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file);
        ulong edited = random.Next(6) switch
        {
            0 => length + (ulong)random.Next(1, 9),
            1 => length - (ulong)random.Next(1, 9),
            2 => 0,
            3 => (ulong)file.Length - 8 + (ulong)random.Next(0, 2),
            4 => (ulong)int.MaxValue + (ulong)random.Next(0, 3),
            _ => ulong.MaxValue - (ulong)random.Next(0, 3),
        };
        BinaryPrimitives.WriteUInt64LittleEndian(file, edited);
        return $"length prefix {length} -> {edited}";
    }
}
