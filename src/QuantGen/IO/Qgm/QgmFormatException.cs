namespace QuantGen.IO.Qgm;

/// <summary>
/// A file cannot be loaded as a .qgm model file, or not into the model given: it is not a .qgm file, has another
/// format version, holds another architecture or structure, is damaged, or lacks a tensor. The message says what
/// was found and what to do. A damaged container's <see cref="SafeTensorsException"/> is the inner exception.
/// </summary>
public sealed class QgmFormatException : QuantGenException
{
    public QgmFormatException(string filePath, string? key, string problem, Exception? inner = null)
        : base(key is null ? $".qgm file '{filePath}': {problem}" : $".qgm file '{filePath}', tensor '{key}': {problem}", inner)
    {
        FilePath = filePath;
        Key = key;
        Problem = problem;
    }

    public string FilePath { get; }

    /// <summary>The tensor at fault, when the problem is with one tensor.</summary>
    public string? Key { get; }

    /// <summary>What was wrong, and what to do about it.</summary>
    public string Problem { get; }
}
