using System.Runtime.InteropServices;
using QuantGen.IO;

namespace QuantGen.Packaging.Tests;

/// <summary>
/// Done once for <see cref="PackageTests"/>: the repository packed into a temporary feed (built apart from the
/// repository's own bin/obj), and a fresh console project outside the repository made with <c>dotnet new console</c>
/// and <c>dotnet add package QuantGen</c> from that feed, given the walkthrough, built and run. The version carries a
/// suffix of its own so that no QuantGen already in the NuGet cache can stand in for this build's package.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    public PackageFixture()
    {
        Root = Directory.CreateTempSubdirectory("quantgen-package-").FullName;
        Feed = Path.Combine(Root, "feed");
        Weights = SharedData.Fixture("pytorch", "small_cnn.safetensors");
        MnistDirectory = SharedData.MnistDirectory();

        // Nothing above the work folder takes part: no Directory.Build.* and the machine's own NuGet sources, plus the feed.
        File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <add key="quantgen-local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);

        string suffix = $"pkgtest.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        // `dotnet pack` at the root, as the README says, built apart from the repository's own bin/obj.
        PackOutput = Require(DotnetCli.Run(RepoRoot, "pack", "-c", "Release",
            "-o", Feed, "--artifacts-path", Path.Combine(Root, "artifacts"), $"-p:VersionSuffix={suffix}"), "dotnet pack");
        Package = Directory.GetFiles(Feed, "*.nupkg").Single();
        Version = Path.GetFileNameWithoutExtension(Package)["QuantGen.".Length..];
        Assert.EndsWith(suffix, Version);

        App = Path.Combine(Root, "app");
        Require(DotnetCli.Run(Root, "new", "console", "-o", App, "-n", "App", "--framework", "net10.0"), "dotnet new console");
        Require(DotnetCli.Run(Root, "add", Path.Combine(App, "App.csproj"), "package", "QuantGen", "--version", Version), "dotnet add package");
        WriteWalkthrough(App, SampleSmallCnn);
        BuildOutput = Require(DotnetCli.Run(App, "build", "-c", "Release", "-p:EmitCompilerGeneratedFiles=true"), "dotnet build");
        JitLines = Lines(Require(DotnetCli.Run(App, "run", "-c", "Release", "--no-build", "--", Weights, MnistDirectory), "dotnet run"));
    }

    public string Root { get; }
    public string Feed { get; }
    public string Package { get; }
    public string Version { get; }
    public string PackOutput { get; }
    public string App { get; }
    public string BuildOutput { get; }
    public string[] JitLines { get; }
    public string Weights { get; }
    public string MnistDirectory { get; }

    /// <summary>The runtime identifier of this machine, for the self-contained and native publishes.</summary>
    public static string Rid => RuntimeInformation.RuntimeIdentifier;

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The sample's SmallCnn exactly as the repository builds it through project references.</summary>
    public static string SampleSmallCnn => File.ReadAllText(Path.Combine(RepoRoot, "samples", "QuantGen.Models", "SmallCnn.cs"));

    /// <summary>Writes the walkthrough (this test project's FreshApp sources) and a SmallCnn source into a project folder.</summary>
    public static void WriteWalkthrough(string project, string smallCnnSource)
    {
        foreach (string file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "FreshApp"), "*.cs"))
        {
            File.Copy(file, Path.Combine(project, Path.GetFileName(file)), overwrite: true);
        }
        File.WriteAllText(Path.Combine(project, "SmallCnn.cs"), smallCnnSource);
    }

    public static string[] Lines(string output) =>
        [.. output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];

    public static string Require((int ExitCode, string Output) run, string what)
    {
        Assert.True(run.ExitCode == 0, $"{what} failed ({run.ExitCode}):\n{run.Output}");
        return run.Output;
    }

    public void Dispose()
    {
        Directory.Delete(Root, recursive: true);
        // The version is this run's own: its copy in the NuGet cache would only pile up.
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string cached = Path.Combine(cache, "quantgen", Version.ToLowerInvariant());
        if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
    }

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "QuantGen.sln"))) return d.FullName;
        }
        throw new DirectoryNotFoundException("QuantGen.sln not found above " + AppContext.BaseDirectory);
    }
}
