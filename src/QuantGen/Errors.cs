namespace QuantGen;

/// <summary>The base of every error QuantGen raises on bad input; catch it to handle them all.</summary>
public class QuantGenException : Exception
{
    public QuantGenException(string message) : base(message) { }

    public QuantGenException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>A tensor's shape is not what an operation or a module needs.</summary>
public sealed class ShapeMismatchException : QuantGenException
{
    public ShapeMismatchException(string message) : base(message) { }

    /// <summary>A module received an input it cannot take.</summary>
    public ShapeMismatchException(string module, string expected, Shape actual)
        : base($"{module} expects input {expected}, got {actual}.")
    {
        Module = module;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The module that rejected the input, with its path in the model where known.</summary>
    public string? Module { get; }

    /// <summary>The shape the module expects, with symbols for free dimensions (e.g. <c>[N, 1, H, W]</c>).</summary>
    public string? Expected { get; }

    public Shape? Actual { get; }
}

/// <summary>A safetensors file is malformed, or a tensor in it cannot be read as asked.</summary>
public sealed class SafeTensorsException : QuantGenException
{
    public SafeTensorsException(string? filePath, string? key, string problem, Exception? inner = null)
        : base(Compose(filePath, key, problem), inner)
    {
        FilePath = filePath;
        Key = key;
        Problem = problem;
    }

    public string? FilePath { get; }

    /// <summary>The tensor's name, when the problem is with one tensor rather than the whole file.</summary>
    public string? Key { get; }

    /// <summary>What was wrong, and what was expected instead.</summary>
    public string Problem { get; }

    private static string Compose(string? filePath, string? key, string problem)
    {
        string where = filePath is null ? "safetensors data" : $"safetensors file '{filePath}'";
        return key is null ? $"{where}: {problem}" : $"{where}, tensor '{key}': {problem}";
    }
}

/// <summary>An MNIST idx file is malformed.</summary>
public sealed class MnistFormatException : QuantGenException
{
    public MnistFormatException(string filePath, string problem, Exception? inner = null)
        : base($"MNIST file '{filePath}': {problem}", inner)
    {
        FilePath = filePath;
    }

    public string FilePath { get; }
}
