using System.Globalization;

namespace QuantGen.IO.Qgm;

/// <summary>
/// The checked metadata of a .qgm file, read in the order that gives the most useful error first: is it a .qgm
/// file at all, of a version this QuantGen reads, intact, and what does it hold. Whether it fits a model is
/// <see cref="ModelFit"/>'s question.
/// </summary>
internal sealed class QgmHeader
{
    private const string SaveAgain = "save the converted model again with QgmFile.Save";

    private QgmHeader(QgmInfo info, List<(string, SubstituteKind)> substitutes, List<(string, FusionRecord)> fusions)
    {
        Info = info;
        Substitutes = substitutes;
        Fusions = fusions;
    }

    public QgmInfo Info { get; }

    public string FilePath => Info.FilePath;

    public IReadOnlyList<(string Path, SubstituteKind Kind)> Substitutes { get; }

    public IReadOnlyList<(string Path, FusionRecord Fusion)> Fusions { get; }

    /// <exception cref="QgmFormatException">The metadata is not that of a .qgm file this QuantGen reads, or the checksum fails.</exception>
    public static QgmHeader Read(StateDict file, string path)
    {
        var metadata = file.Metadata;
        RequireMarker(metadata, path);
        int version = ReadVersion(metadata, path);
        RequireChecksum(file, path);

        string architecture = Required(metadata, QgmFormat.ArchitectureKey, path);
        string structure = Required(metadata, QgmFormat.StructureKey, path);
        string modeText = Required(metadata, QgmFormat.ModeKey, path);
        if (!QgmModes.TryParse(modeText, out var mode))
        {
            throw Damaged(path, $"its \"{QgmFormat.ModeKey}\" is \"{modeText}\"; expected \"static\" or \"dynamic\"");
        }
        var substitutes = ReadMap<SubstituteKind>(metadata, QgmFormat.SubstitutesKey, path, SubstituteKinds.TryParse, SubstituteKinds.Names);
        var fusions = ReadMap<FusionRecord>(metadata, QgmFormat.FusionsKey, path, FusionRecord.TryParse, FusionRecord.Spellings);
        if (QgmModes.Of(substitutes.Select(s => s.Item2)) != mode)
        {
            throw Damaged(path, $"its \"{QgmFormat.ModeKey}\" is \"{modeText}\", but its substitutes are not those of a {modeText} model");
        }

        var info = new QgmInfo(path, version, architecture, mode, structure,
            ToDictionary(substitutes, k => k.ToString()), ToDictionary(fusions, f => f.ToString()), file.Count);
        return new QgmHeader(info, substitutes, fusions);
    }

    private static void RequireMarker(Dictionary<string, string> metadata, string path)
    {
        if (metadata.TryGetValue(QgmFormat.FormatKey, out string? format) && format == QgmFormat.Marker) return;
        string found = format is null ? $"has no \"{QgmFormat.FormatKey}\"" : $"says \"{QgmFormat.FormatKey}\": \"{format}\"";
        throw new QgmFormatException(path, null,
            $"its metadata {found}, not \"{QgmFormat.FormatKey}\": \"{QgmFormat.Marker}\", so it is not a .qgm model file but another " +
            "safetensors file (float weights?). Load float weights with model.LoadStateDict(SafeTensors.Load(path)); to make a .qgm file, " +
            "quantize the model (Convert or QuantizeDynamic) and call QgmFile.Save.");
    }

    private static int ReadVersion(Dictionary<string, string> metadata, string path)
    {
        string text = Required(metadata, QgmFormat.VersionKey, path);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int version))
        {
            throw Damaged(path, $"its \"{QgmFormat.VersionKey}\" is \"{text}\", not a version number; expected \"{QgmFormat.Version}\"");
        }
        if (version > QgmFormat.Version)
        {
            throw new QgmFormatException(path, null,
                $"it was written by format version {version}; this QuantGen reads {Readable} — " +
                "load it with the newer QuantGen that wrote it, or save the model again with this one (quantize the float model, then QgmFile.Save).");
        }
        if (version < QgmFormat.OldestReadable)
        {
            throw new QgmFormatException(path, null,
                $"it was written by format version {version}; this QuantGen reads {Readable} and no longer reads older ones — " +
                "save the model again with this QuantGen (quantize the float model, then QgmFile.Save).");
        }
        return version;
    }

    private static string Readable => $"versions {QgmFormat.OldestReadable} to {QgmFormat.Version}";

    private static void RequireChecksum(StateDict file, string path)
    {
        string recorded = Required(file.Metadata, QgmFormat.ChecksumKey, path);
        string computed = QgmChecksum.Of(file);
        if (recorded != computed)
        {
            throw new QgmFormatException(path, null,
                $"its contents do not match its checksum ({recorded} recorded, {computed} computed): the file is corrupted " +
                $"(a damaged copy, a disk error, or an edit). Copy it again from where it came from, or {SaveAgain}.");
        }
    }

    private delegate bool Parser<T>(string text, out T value);

    private static List<(string, T)> ReadMap<T>(Dictionary<string, string> metadata, string key, string path, Parser<T> parse, string spellings)
    {
        var entries = MetadataMap.TryRead(Required(metadata, key, path), out string problem)
            ?? throw Damaged(path, $"its \"{key}\" is not a JSON object of strings: {problem}");
        var result = new List<(string, T)>(entries.Count);
        foreach (var (layer, text) in entries)
        {
            if (!parse(text, out T value))
            {
                throw Damaged(path, $"its \"{key}\" gives '{layer}' the value \"{text}\"; expected one of {spellings}");
            }
            result.Add((layer, value));
        }
        return result;
    }

    private static string Required(Dictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out string? value) ? value : throw Damaged(path, $"its metadata has no \"{key}\"");

    /// <summary>For metadata only a damaged file or another writer has: a .qgm written by QuantGen always passes.</summary>
    private static QgmFormatException Damaged(string path, string problem) =>
        new(path, null, $"{problem}. The file is damaged or was not written by QuantGen: {SaveAgain}.");

    private static Dictionary<string, string> ToDictionary<T>(List<(string Path, T Value)> entries, Func<T, string> format) =>
        entries.ToDictionary(e => e.Path, e => format(e.Value), StringComparer.Ordinal);
}
