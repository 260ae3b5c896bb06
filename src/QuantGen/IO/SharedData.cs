namespace QuantGen.IO;

/// <summary>
/// Finds the project's shared folder (PyTorch fixtures, MNIST) that sits beside the repository:
/// <c>$QUANTGEN_SHARED</c> if set, else the first <c>shared/</c> found walking up from the given folder.
/// </summary>
public static class SharedData
{
    public const string EnvironmentVariable = "QUANTGEN_SHARED";

    public static string Locate(string? startDirectory = null)
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment)
                ? Path.GetFullPath(fromEnvironment)
                : throw new DirectoryNotFoundException($"{EnvironmentVariable} points to '{fromEnvironment}', which does not exist.");
        }

        foreach (string start in new[] { startDirectory ?? Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared");
                if (Directory.Exists(Path.Combine(candidate, "fixtures")))
                {
                    return candidate;
                }
            }
        }
        throw new DirectoryNotFoundException(
            $"Could not find the shared data folder (shared/fixtures, shared/data/mnist) above '{startDirectory ?? Directory.GetCurrentDirectory()}'. " +
            $"Clone the repository beside it, or set {EnvironmentVariable}.");
    }

    public static string Fixture(params string[] relativePath) => Path.Combine([Locate(), "fixtures", .. relativePath]);

    public static string MnistDirectory() => Path.Combine(Locate(), "data", "mnist");
}
