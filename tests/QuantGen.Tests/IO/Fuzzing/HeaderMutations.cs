using System.Text;
using System.Text.RegularExpressions;

namespace QuantGen.Tests.IO.Fuzzing;

/// <summary>
/// Edits of a safetensors header as text, each aimed at one rule of the reader: shapes with zero dimensions after
/// huge ones, offsets and lengths that lie, unpaired surrogates and invalid UTF-8 in names and metadata, dtypes,
/// duplicate names, numbers out of range and deep nesting. The length prefix is rewritten to fit the new header
/// (the other mutations damage it).
/// </summary>
internal static partial class HeaderMutations
{
    private static readonly string[] Shapes =
    [
        "[2147483647,2147483647,2147483647,0]", "[65536,65536,65536,65536,0]", "[0,2147483647,2147483647]",
        "[2147483647,2147483647]", "[2147483648]", "[-1]", "[1.5]", "[\"8\"]", "[]", "[0]", "[1e3]", "[4294967296,0]",
        "[2147483647,0,2147483647]", "[3037000500,3037000500]", "null", "{}",
    ];

    private static readonly string[] Offsets =
    [
        "[0,18446744073709551615]", "[-1,0]", "[0,9223372036854775807]", "[9223372036854775807,9223372036854775807]",
        "[1e2,200]", "[0]", "[0,0,0]", "[\"0\",\"4\"]", "[0,1e400]", "null",
    ];

    private static readonly string[] DTypes = ["F32", "F16", "BF16", "F64", "I8", "U8", "I16", "I32", "I64", "BOOL", "X", "", "f32"];

    private static readonly string[] Surrogates = ["\\ud800", "\\udfff", "\\ud800\\u0041", "\\udc00\\ud800", "\\\\ud800"];

    private static readonly string[] Metadata =
    [
        "null", "[]", "{\"a\":1}", "{\"a\":\"\\ud800\"}", "{\"\\udfff\":\"b\"}", "{\"a\":\"b\",\"a\":\"c\"}", "{\"a\":{}}", "\"text\"",
    ];

    [GeneratedRegex("\"shape\":\\[[^\\]]*\\]")]
    private static partial Regex ShapeField();

    [GeneratedRegex("\"data_offsets\":\\[[^\\]]*\\]")]
    private static partial Regex OffsetsField();

    [GeneratedRegex("\"dtype\":\"[^\"]*\"")]
    private static partial Regex DTypeField();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex("-?\\d+")]
    private static partial Regex Integer();

    /// <summary>One edit of the header picked at random; returns the new file and what was done.</summary>
    public static (byte[] File, string Mutation) Apply(byte[] file, Random random)
    {
        string header = SafeTensorsFiles.HeaderText(file);
        byte[] data = SafeTensorsFiles.DataBuffer(file).ToArray();
        switch (random.Next(11))
        {
            case 0:
                return Replace(header, data, random, ShapeField(), "\"shape\":" + Pick(Shapes, random), "shape");
            case 1:
            {
                // An extra empty tensor at offset 0: its byte count is 0, so only the shape's own arithmetic can fail.
                string shape = Pick(Shapes, random);
                string entry = $"\"zz_empty\":{{\"dtype\":\"{Pick(DTypes, random)}\",\"shape\":{shape},\"data_offsets\":[0,0]}},";
                return (SafeTensorsFiles.Compose(header.Insert(1, entry), data), $"added an empty tensor of shape {shape}");
            }
            case 2:
                return Replace(header, data, random, OffsetsField(), "\"data_offsets\":" + Pick(Offsets, random), "data_offsets");
            case 3:
                return Replace(header, data, random, Integer(), NearbyNumber(random), "a number");
            case 4:
                return Replace(header, data, random, DTypeField(), $"\"dtype\":\"{Pick(DTypes, random)}\"", "dtype");
            case 5:
            {
                // An unpaired surrogate escape inside a name, a dtype or a metadata string.
                var literals = StringLiteral().Matches(header);
                var literal = literals[random.Next(literals.Count)];
                int at = literal.Index + 1 + random.Next(literal.Length - 1);
                string surrogate = Pick(Surrogates, random);
                return (SafeTensorsFiles.Compose(header.Insert(at, surrogate), data), $"inserted {surrogate} at header char {at}");
            }
            case 6:
            {
                // Raw bytes no UTF-8 decoder accepts: a UTF-8-encoded surrogate (CESU-8), a lone continuation, an overlong form.
                byte[][] invalid = [[0xED, 0xA0, 0x80], [0x80], [0xC0, 0xAF], [0xF8, 0x88, 0x80, 0x80, 0x80]];
                byte[] bad = invalid[random.Next(invalid.Length)];
                byte[] text = Encoding.UTF8.GetBytes(header);
                int at = random.Next(text.Length + 1);
                byte[] edited = [.. text[..at], .. bad, .. text[at..]];
                return (SafeTensorsFiles.Compose(edited, data), $"inserted bytes {Convert.ToHexString(bad)} at header byte {at}");
            }
            case 7:
            {
                string value = Pick(Metadata, random);
                string edited = header.Contains("\"__metadata__\":{", StringComparison.Ordinal)
                    ? Regex.Replace(header, "\"__metadata__\":\\{[^}]*\\}", _ => "\"__metadata__\":" + value)
                    : header.Insert(1, $"\"__metadata__\":{value},");
                return (SafeTensorsFiles.Compose(edited, data), $"__metadata__ -> {value}");
            }
            case 8:
            {
                // The first tensor entry again, under the same name.
                int end = header.IndexOf('}', header.IndexOf("\"data_offsets\"", StringComparison.Ordinal)) + 1;
                int start = header.LastIndexOf(",\"", end, StringComparison.Ordinal) is var comma and > 0 ? comma + 1 : 1;
                string entry = header[start..end];
                return (SafeTensorsFiles.Compose(header.Insert(1, entry + ","), data), $"duplicated {entry[..Math.Min(entry.Length, 40)]}");
            }
            case 9:
            {
                int depth = random.Next(2) == 0 ? 65 : 2000;
                string nested = new string('[', depth) + new string(']', depth);
                return Replace(header, data, random, ShapeField(), "\"shape\":" + nested, $"nesting {depth} deep");
            }
            default:
            {
                // Cut the header text and close it, so the JSON stays valid but entries or the data go missing.
                int cut = random.Next(1, header.Length);
                return (SafeTensorsFiles.Compose(header[..cut] + "}", data), $"header cut at char {cut}");
            }
        }
    }

    private static (byte[], string) Replace(string header, byte[] data, Random random, Regex pattern, string replacement, string what)
    {
        var matches = pattern.Matches(header);
        var match = matches[random.Next(matches.Count)];
        string edited = header.Remove(match.Index, match.Length).Insert(match.Index, replacement);
        return (SafeTensorsFiles.Compose(edited, data), $"{what} {match.Value} -> {replacement}");
    }

    /// <summary>A number near a boundary: one off, doubled, negative, or at the edge of int, long or ulong.</summary>
    private static string NearbyNumber(Random random) => random.Next(8) switch
    {
        0 => "-1",
        1 => "0",
        2 => random.Next(1, 100_000).ToString(),
        3 => "2147483647",
        4 => "2147483648",
        5 => "9223372036854775807",
        6 => "18446744073709551616",
        _ => "1" + new string('0', random.Next(20, 400)),
    };

    private static string Pick(string[] values, Random random) => values[random.Next(values.Length)];
}
