using System.Diagnostics;

namespace QuantGen.Packaging.Tests;

/// <summary>The real <c>dotnet</c> CLI (or a program the tests built), run to completion with its output captured.</summary>
internal static class DotnetCli
{
    public static (int ExitCode, string Output) Run(string directory, params string[] arguments) =>
        RunProgram("dotnet", directory, arguments);

    public static (int ExitCode, string Output) RunProgram(string program, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // A child build must not talk to the test host's MSBuild node or inherit its properties.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        start.Environment.Remove("MSBuildSDKsPath");
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{program} {string.Join(' ', arguments)}' did not finish in 10 minutes:\n{output}");
        }
        return (process.ExitCode, output + error.Result);
    }

    /// <summary>The lines of a build's output that are warnings or errors (MSBuild prints each twice: once is enough).</summary>
    public static string[] Problems(string output) =>
        [.. output.Split('\n').Select(l => l.Trim()).Where(l => l.Contains(": warning ", StringComparison.Ordinal) || l.Contains(": error ", StringComparison.Ordinal)).Distinct()];
}
