using System.Text.Encodings.Web;
using System.Text.Json;

namespace QuantGen.IO.Qgm;

/// <summary>
/// A path → string map stored as one metadata value, a JSON object (safetensors metadata values are strings).
/// Written by hand rather than by JsonSerializer, which needs reflection the trimmed library must not use.
/// </summary>
internal static class MetadataMap
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(IEnumerable<(string Key, string Value)> entries)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            foreach (var (key, value) in entries) json.WriteString(key, value);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The entries in file order, or null with <paramref name="problem"/> set if the text is not such an object.</summary>
    public static List<(string Key, string Value)>? TryRead(string text, out string problem)
    {
        problem = "";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            problem = $"it is not valid JSON ({e.Message})";
            return null;
        }
        using (document)
        {
            try
            {
                return TryReadObject(document.RootElement, out problem);
            }
            catch (InvalidOperationException e)
            {
                // System.Text.Json refuses to decode an escaped unpaired surrogate ("\ud800") into a string.
                problem = $"a name or value escapes an unpaired UTF-16 surrogate ({e.Message})";
                return null;
            }
        }
    }

    private static List<(string Key, string Value)>? TryReadObject(JsonElement root, out string problem)
    {
        problem = "";
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = $"it is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object";
            return null;
        }
        var entries = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                problem = $"the value of \"{property.Name}\" is not a string";
                return null;
            }
            if (!seen.Add(property.Name))
            {
                problem = $"\"{property.Name}\" appears twice";
                return null;
            }
            entries.Add((property.Name, property.Value.GetString()!));
        }
        return entries;
    }
}
