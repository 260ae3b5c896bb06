namespace QuantGen.Quantization;

/// <summary>A path given to keep layers in float names no module of the model; says which existing path is closest.</summary>
public sealed class UnknownModulePathException : QuantGenException
{
    public UnknownModulePathException(string model, string path, string? closest)
        : base(closest is null
            ? $"{model} has no module '{path}' to keep in float."
            : $"{model} has no module '{path}' to keep in float; the closest path is '{closest}'.")
    {
        Path = path;
        Closest = closest;
    }

    /// <summary>The path as it was given.</summary>
    public string Path { get; }

    /// <summary>The existing module path nearest <see cref="Path"/> by edit distance, or null if the model has none.</summary>
    public string? Closest { get; }
}
