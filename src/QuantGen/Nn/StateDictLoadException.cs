namespace QuantGen.Nn;

/// <summary>
/// A state dict does not fit a model. Lists every problem at once (missing keys, unexpected keys,
/// keys whose shape or dtype differs), as PyTorch's <c>load_state_dict</c> does; nothing was loaded.
/// </summary>
public sealed class StateDictLoadException : QuantGenException
{
    public StateDictLoadException(
        string model,
        string? source,
        IReadOnlyList<string> missingKeys,
        IReadOnlyList<string> unexpectedKeys,
        IReadOnlyList<KeyMismatch> mismatches)
        : base(Compose(model, source, missingKeys, unexpectedKeys, mismatches))
    {
        Source = source;
        MissingKeys = missingKeys;
        UnexpectedKeys = unexpectedKeys;
        Mismatches = mismatches;
    }

    /// <summary>The file the state dict was read from, if any.</summary>
    public new string? Source { get; }

    public IReadOnlyList<string> MissingKeys { get; }

    public IReadOnlyList<string> UnexpectedKeys { get; }

    public IReadOnlyList<KeyMismatch> Mismatches { get; }

    private static string Compose(
        string model, string? source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<KeyMismatch> mismatches)
    {
        var text = new System.Text.StringBuilder();
        text.Append($"Error(s) loading the state dict for {model}");
        if (source is not null) text.Append($" from '{source}'");
        text.Append(". Nothing was loaded.");
        if (missing.Count > 0) text.Append($"\n  Missing key(s): {string.Join(", ", missing.Select(k => $"\"{k}\""))}.");
        if (unexpected.Count > 0) text.Append($"\n  Unexpected key(s): {string.Join(", ", unexpected.Select(k => $"\"{k}\""))}.");
        foreach (var m in mismatches) text.Append($"\n  Key \"{m.Key}\": {m.Problem}.");
        return text.ToString();
    }
}

/// <summary>A key present in both the model and the state dict whose value cannot be loaded.</summary>
public sealed record KeyMismatch(string Key, string Problem);

/// <summary>What a non-strict load skipped (PyTorch's <c>_IncompatibleKeys</c>).</summary>
public sealed record LoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);
