namespace InferenceService.Imaging;

/// <summary>
/// Bytes that are not a PNG this decoder reads: the message says what was found, where (byte offset or chunk), and
/// what was expected. Thrown for damaged files and for valid PNGs of a kind it does not read (palette, 16-bit,
/// interlaced, with alpha).
/// </summary>
public sealed class PngFormatException(string problem, Exception? inner = null) : Exception($"Not a PNG this service reads: {problem}", inner)
{
    /// <summary>What was wrong, without the prefix.</summary>
    public string Problem { get; } = problem;
}
