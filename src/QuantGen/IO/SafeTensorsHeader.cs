using System.Text.Json;
using System.Text.Unicode;

namespace QuantGen.IO;

/// <summary>
/// The parsed JSON header of a safetensors file: tensor entries in header order and the optional
/// <c>__metadata__</c> strings. <see cref="Parse"/> checks each entry on its own (fields, dtype, shape, and
/// that its offsets span exactly dtype × shape bytes inside the data buffer); how the entries fit together
/// is <see cref="SafeTensorsLayout"/>'s job. Reading one tensor entry is in <c>SafeTensorsHeader.Entry.cs</c>.
/// </summary>
internal sealed partial class SafeTensorsHeader
{
    public const string MetadataKey = "__metadata__";

    private readonly string? source;
    private readonly long dataLength;

    private SafeTensorsHeader(string? source, long dataLength)
    {
        this.source = source;
        this.dataLength = dataLength;
    }

    public List<SafeTensorsEntry> Entries { get; } = [];

    public List<KeyValuePair<string, string>> Metadata { get; } = [];

    /// <param name="json">The header bytes (between the length prefix and the data buffer).</param>
    /// <param name="dataLength">The size of the data buffer, which every entry must lie within.</param>
    /// <param name="source">The file name for error messages, if any.</param>
    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string? source)
    {
        var header = new SafeTensorsHeader(source, dataLength);
        // Checked up front because reading a string throws InvalidOperationException on bad UTF-8.
        if (!Utf8.IsValid(json))
        {
            throw header.Error(null, $"the {json.Length}-byte header is not valid UTF-8; expected UTF-8 JSON text");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            throw header.Error(null, $"the header is not valid JSON ({e.Message}); expected a JSON object of tensor entries", e);
        }

        using (document)
        {
            header.ReadRoot(document.RootElement);
        }
        return header;
    }

    private void ReadRoot(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Error(null, $"the header is {Describe(root)}; expected a JSON object mapping tensor names to entries");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in root.EnumerateObject())
        {
            string name = NameOf(property);
            if (!seen.Add(name))
            {
                throw name == MetadataKey
                    ? Error(null, $"the header has two \"{MetadataKey}\" entries; expected at most one")
                    : Error(name, "the name appears twice in the header; expected each tensor name once");
            }

            if (name == MetadataKey)
            {
                ReadMetadata(property.Value);
            }
            else
            {
                Entries.Add(ReadEntry(name, property.Value));
            }
        }
    }

    private void ReadMetadata(JsonElement value)
    {
        // The reference reader takes null as "no metadata"; so do we.
        if (value.ValueKind == JsonValueKind.Null) return;
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error(null, $"\"{MetadataKey}\" is {Describe(value)}; expected an object of string values");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty item in value.EnumerateObject())
        {
            string key = NameOf(item);
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw Error(null, $"\"{MetadataKey}\" entry \"{key}\" is {Describe(item.Value)}; expected a string");
            }
            if (!seen.Add(key))
            {
                throw Error(null, $"\"{MetadataKey}\" has the entry \"{key}\" twice; expected each name once");
            }
            Metadata.Add(new(key, TextOf(item.Value)));
        }
    }

    private SafeTensorsException Error(string? key, string problem, Exception? inner = null) => new(source, key, problem, inner);

    // Valid UTF-8 can still escape an unpaired surrogate ("\ud800"), which System.Text.Json refuses to
    // decode with an InvalidOperationException; these two turn that into the file's error.
    private string NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException e)
        {
            throw UnpairedSurrogate(e);
        }
    }

    private string TextOf(JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw UnpairedSurrogate(e);
        }
    }

    private SafeTensorsException UnpairedSurrogate(Exception inner) =>
        Error(null, $"a string in the header escapes an unpaired UTF-16 surrogate ({inner.Message}); expected escapes of valid Unicode text", inner);

    /// <summary>A JSON value in words for an error message: its kind, and the value itself when short.</summary>
    private string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => value.GetArrayLength() == 1 ? "an array of 1 item" : $"an array of {value.GetArrayLength()} items",
        JsonValueKind.String => $"the string \"{Truncate(TextOf(value))}\"",
        JsonValueKind.Number => $"the number {Truncate(value.GetRawText())}",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
