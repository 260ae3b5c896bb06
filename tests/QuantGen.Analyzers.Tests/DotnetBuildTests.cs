using System.Diagnostics;
using QuantGen.Analyzers.Tests.Infrastructure;

namespace QuantGen.Analyzers.Tests;

/// <summary>
/// The diagnostics as a user sees them: a throwaway project that references the runtime, the generator and the
/// analyzers (the assemblies this test project was built with, so nothing is rebuilt), built offline with the real
/// <c>dotnet build</c>, and its output read for the QG IDs.
/// </summary>
public sealed class DotnetBuildTests
{
    [Fact]
    public void Dotnet_build_prints_the_float_islands_of_the_sample_and_a_shape_error()
    {
        string directory = NewProject();
        try
        {
            // The sample as a user would write it before deciding about its islands: without the suppression.
            string sample = File.ReadAllText(Path.Combine(RepoRoot(), "samples", "QuantGen.Models", "TinyAttention.cs"));
            string unsuppressed = string.Join('\n', sample.Split('\n').Where(line => !line.Contains("[SuppressMessage(", StringComparison.Ordinal)));
            File.WriteAllText(Path.Combine(directory, "TinyAttention.cs"), unsuppressed);
            File.WriteAllText(Path.Combine(directory, "Clean.cs"), Models.With(Models.Clean, "new(4 * 8 * 8, 10)", "new(100, 10)"));

            (int exitCode, string output) = Run(directory, "build", "-nologo", "-v:q", "-p:Configuration=Release");

            Assert.True(exitCode != 0, output); // QG0004 is an error
            int normLine = Array.FindIndex(unsuppressed.Split('\n'), line => line.Contains("readonly LayerNorm norm", StringComparison.Ordinal)) + 1;
            Assert.Contains($"TinyAttention.cs({normLine},", output);
            Assert.Contains("warning QG0009: 'norm' (LayerNorm) has no int8 kernel", output);
            Assert.Contains("warning QG0009: 'softmax' (Softmax) has no int8 kernel", output);
            Assert.Contains("error QG0004: 'fc' (Linear) expects 100 input features, but its input has 256", output);
            Assert.DoesNotContain("AD0001", output);
            Assert.DoesNotContain("CS8785", output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void With_the_analyzers_off_the_generator_still_says_why_it_generated_nothing()
    {
        string directory = NewProject();
        try
        {
            string Renamed(string source, string name) => source.Replace("class Clean", "class " + name);
            File.WriteAllText(Path.Combine(directory, "NotPartial.cs"), Renamed(Models.With(Models.Clean, "sealed partial class", "sealed class"), "NotPartial"));
            File.WriteAllText(Path.Combine(directory, "NoShape.cs"), Renamed(Models.With(Models.Clean, "[InputShape(1, 8, 8)]", ""), "NoShape"));
            File.WriteAllText(Path.Combine(directory, "WrongShape.cs"), Renamed(Models.With(Models.Clean, "new(4 * 8 * 8, 10)", "new(100, 10)"), "WrongShape"));
            File.WriteAllText(Path.Combine(directory, "Islands.cs"), Renamed(Models.Attention, "Islands"));

            (int exitCode, string output) = Run(directory, "build", "-nologo", "-v:q", "-p:Configuration=Release", "-p:RunAnalyzers=false");

            Assert.True(exitCode != 0, output);
            Assert.Contains("NotPartial.cs(", output);
            Assert.Contains("error QG0001: 'NotPartial' has [Quantize] but is not partial", output);
            Assert.Contains("error QG0002: 'NoShape'", output);
            Assert.Contains("error QG0004: 'fc' (Linear) expects 100 input features, but its input has 256", output);
            Assert.DoesNotContain("QG0009", output); // the analyzers' advice: off, so the generator alone spoke above
            Assert.DoesNotContain("CS8785", output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Dotnet_build_survives_two_thousand_nested_Sequentials_a_deep_Forward_and_names_of_every_kind()
    {
        // Issue 16's reproducers as a user's build meets them: csc compiled these alone, and crashed with the generator.
        string directory = NewProject();
        try
        {
            string Nested(string open, string inner, string close, int depth) =>
                string.Concat(Enumerable.Repeat(open, depth)) + inner + string.Concat(Enumerable.Repeat(close, depth));
            string deepSequential = Models.With(Models.Clean, "readonly ReLU fcRelu = new();", $"readonly Sequential fcRelu = {Nested("new Sequential(", "new ReLU()", ")", 2000)};")
                .Replace("class Clean", "class DeepSequential");
            string deepForward = Models.With(Models.Clean, "return dequant.Forward(", $"x = {Nested("relu.Forward(", "x", ")", 2000)};\n        return dequant.Forward(")
                .Replace("class Clean", "class DeepForward");
            // Layers named as .NET code names them, in a namespace of keywords; Use() reaches the generated members.
            string names = Models.Clean
                .Replace("namespace Sample;", "namespace @class.@int;")
                .Replace("class Clean", "class Named")
                .Replace("quant", "_quant").Replace("de_quant", "@checked")
                .Replace("conv", "卷积").Replace("bn", "Equals").Replace("fcRelu", "ConcurrentWorkers").Replace("relu", "n")
                + "\nstatic class Use { public static Named.Int8 Convert(Named model, QuantGen.Tensor batch) => model.Calibrate([batch]).Convert(); }\n";
            File.WriteAllText(Path.Combine(directory, "DeepSequential.cs"), deepSequential);
            File.WriteAllText(Path.Combine(directory, "DeepForward.cs"), deepForward);
            File.WriteAllText(Path.Combine(directory, "Named.cs"), names);

            (int exitCode, string output) = Run(directory, "build", "-nologo", "-v:q", "-p:Configuration=Release");

            Assert.True(exitCode == 0, output);
            Assert.Contains("DeepSequential.cs(", output);
            Assert.Contains("warning QG0005: The generator cannot read code nested more than 200 syntax levels deep in one member, at 'new Sequential(new Sequential(", output);
            Assert.Contains("warning QG0005: The generator cannot read code nested more than 200 syntax levels deep in one member, at 'relu.Forward(relu.Forward(", output);
            // The user's own warning for a field named Equals, if any; nothing from QuantGen, no error.
            Assert.DoesNotContain(output.Split('\n'), line => line.Contains("Named.cs", StringComparison.Ordinal) && (line.Contains(" error ", StringComparison.Ordinal) || line.Contains("QG0", StringComparison.Ordinal)));
            Assert.DoesNotContain("AD0001", output);
            Assert.DoesNotContain("CS8785", output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// A throwaway project beside nothing of the repository's: the runtime, the generator and the analyzers this test
    /// project was built with, no package source.
    /// </summary>
    private static string NewProject()
    {
        string directory = Directory.CreateTempSubdirectory("quantgen-build-").FullName;
        string bin = AppContext.BaseDirectory;
        // Stop MSBuild and NuGet from reading anything above the temp folder; no package source is needed.
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(directory, "NuGet.config"), "<configuration><packageSources><clear /></packageSources></configuration>");
        File.WriteAllText(Path.Combine(directory, "User.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <Reference Include="{Path.Combine(bin, "QuantGen.dll")}" />
                <Analyzer Include="{Path.Combine(bin, "QuantGen.Generator.dll")}" />
                <Analyzer Include="{Path.Combine(bin, "QuantGen.Analyzers.dll")}" />
              </ItemGroup>
            </Project>
            """);
        return directory;
    }

    private static (int ExitCode, string Output) Run(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "dotnet build did not finish in 5 minutes");
        return (process.ExitCode, output + error.Result);
    }

    private static string RepoRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "QuantGen.sln"))) return d.FullName;
        }

        throw new DirectoryNotFoundException("QuantGen.sln not found above " + AppContext.BaseDirectory);
    }
}
