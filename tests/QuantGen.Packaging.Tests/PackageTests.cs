using System.IO.Compression;
using System.Xml.Linq;
using QuantGen.Walkthrough;

namespace QuantGen.Packaging.Tests;

/// <summary>
/// The QuantGen package as a user installs it (see <see cref="PackageFixture"/>): its layout, the generator and the
/// analyzers running from it, the runtime without the generator saying so, and the walkthrough's logits equal bit
/// for bit to the project-reference build of the same source, under the JIT, trimmed, and NativeAOT.
/// </summary>
public sealed class PackageTests(PackageFixture package) : IClassFixture<PackageFixture>
{
    [Fact]
    public void Package_holds_the_runtime_with_its_docs_and_the_compiler_components_and_has_a_symbols_package()
    {
        // The repository packs into exactly one package and its symbols.
        Assert.Equal(
            [$"QuantGen.{package.Version}.nupkg", $"QuantGen.{package.Version}.snupkg"],
            Directory.GetFiles(package.Feed).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using ZipArchive zip = ZipFile.OpenRead(package.Package);
        string[] content = [.. zip.Entries.Select(e => e.FullName)
            .Where(n => n != "[Content_Types].xml" && !n.StartsWith("_rels/", StringComparison.Ordinal) && !n.StartsWith("package/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
        Assert.Equal(
            [
                "QuantGen.nuspec",
                "README.md",
                "analyzers/dotnet/cs/QuantGen.Analyzers.CodeFixes.dll",
                "analyzers/dotnet/cs/QuantGen.Analyzers.dll",
                "analyzers/dotnet/cs/QuantGen.Generator.dll",
                "build/QuantGen.targets",
                "buildTransitive/QuantGen.targets",
                "lib/net10.0/QuantGen.dll",
                "lib/net10.0/QuantGen.xml",
            ],
            content);

        XNamespace ns = "http://schemas.microsoft.com/packaging/2012/06/nuspec.xsd";
        using Stream nuspecStream = zip.GetEntry("QuantGen.nuspec")!.Open();
        XElement metadata = XDocument.Load(nuspecStream).Root!.Element(ns + "metadata")!;
        Assert.Equal("QuantGen", metadata.Element(ns + "id")!.Value);
        Assert.Equal(package.Version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("expression", metadata.Element(ns + "license")!.Attribute("type")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        Assert.Contains("quantization", metadata.Element(ns + "tags")!.Value.Split(' '));
        Assert.Equal("git", metadata.Element(ns + "repository")!.Attribute("type")!.Value);
        // The generator and analyzers are inside, not dependencies; the runtime needs nothing but the framework.
        Assert.Empty(metadata.Element(ns + "dependencies")!.Descendants(ns + "dependency"));

        string symbols = Path.ChangeExtension(package.Package, ".snupkg");
        using ZipArchive symbolZip = ZipFile.OpenRead(symbols);
        Assert.Contains(symbolZip.Entries, e => e.FullName == "lib/net10.0/QuantGen.pdb");
    }

    [Fact]
    public void Fresh_project_gets_the_generated_Int8_and_runs_equal_to_the_project_reference_build_bit_for_bit()
    {
        Assert.Empty(DotnetCli.Problems(package.BuildOutput));
        string generated = Path.Combine(package.App, "obj", "Release", "net10.0", "generated", "QuantGen.Generator",
            "QuantGen.Generator.QuantizeGenerator", "QuantGen.Models.SmallCnn.g.cs");
        string text = File.ReadAllText(generated);
        Assert.Contains("public sealed class Int8", text);
        // The version is set in one place and the generator stamps the one it was packed with.
        Assert.Contains($"[global::System.CodeDom.Compiler.GeneratedCode(\"QuantGen.Generator\", \"{package.Version}\")]", text);

        string[] inProcess = [.. Walkthrough.Walkthrough.Run(package.Weights, package.MnistDirectory)];
        Assert.Equal(inProcess, package.JitLines);
        Assert.Equal("stem ,conv,act,pool,fc", package.JitLines[0]);
        Assert.Equal("modules ,quant,conv1,bn1,relu1,pool1,conv2,relu2,pool2,fc1,relu3,fc2,dequant", package.JitLines[1]);
        Assert.Equal(package.JitLines[2]["eager ".Length..], package.JitLines[3]["int8 ".Length..]);
    }

    [Fact]
    public void Shape_error_in_a_fresh_project_is_a_QG_diagnostic_from_the_package()
    {
        string project = NewProject("Broken", PackageReference());
        string planted = PackageFixture.SampleSmallCnn.Replace("new(16 * 7 * 7, 32)", "new(100, 32)", StringComparison.Ordinal);
        Assert.NotEqual(PackageFixture.SampleSmallCnn, planted);
        PackageFixture.WriteWalkthrough(project, planted);

        (int exitCode, string output) = DotnetCli.Run(project, "build", "-c", "Release");

        Assert.True(exitCode != 0, output);
        Assert.Contains("error QG0004: 'fc1' (Linear) expects 100 input features, but its input has 784", output);
        Assert.DoesNotContain("AD0001", output);
        Assert.DoesNotContain("CS8785", output);
    }

    [Fact]
    public void Runtime_without_the_generator_says_what_to_install()
    {
        // Visual Basic gets the runtime from the package, but the compiler loads no C# generator into it.
        string vb = NewProject("VisualBasic", PackageReference(), extension: "vbproj");
        File.WriteAllText(Path.Combine(vb, "Program.vb"), "Module Program\n    Sub Main()\n        System.Console.WriteLine(New QuantGen.Nn.ReLU())\n    End Sub\nEnd Module\n");
        string vbOutput = PackageFixture.Require(DotnetCli.Run(vb, "build", "-c", "Release"), "dotnet build (Visual Basic)");
        Assert.Contains("warning QGPKG001: QuantGen's source generator runs in C# projects only. This VB project", vbOutput);

        // A C# build whose analyzers lost the generator (NuGet's ExcludeAssets="analyzers" is ignored by the SDK, so a target does it).
        string dropped = NewProject("GeneratorRemoved", PackageReference(), extraItems: """
            <Target Name="RemoveQuantGenGenerator" AfterTargets="ResolveLockFileAnalyzers">
              <ItemGroup><Analyzer Remove="@(Analyzer)" Condition="'%(Analyzer.Filename)' == 'QuantGen.Generator'" /></ItemGroup>
            </Target>
            """);
        File.WriteAllText(Path.Combine(dropped, "Program.cs"), "System.Console.WriteLine(new QuantGen.Nn.ReLU());\n");
        string output = PackageFixture.Require(DotnetCli.Run(dropped, "build", "-c", "Release"), "dotnet build (generator removed)");
        Assert.Contains("warning QGPKG002: QuantGen's source generator is not among this project's analyzers", output);
        Assert.Contains("'dotnet add package QuantGen'", output);

        // And the walkthrough's own project, which loads it, is not told anything.
        Assert.DoesNotContain("QGPKG", package.BuildOutput);
    }

    [Fact]
    public void Trimmed_self_contained_publish_has_no_warnings_and_prints_the_same_logits()
    {
        PublishWithoutWarningsAndCompare("trimmed", "--self-contained", "-p:PublishTrimmed=true");
    }

    [Fact]
    public void NativeAot_publish_has_no_warnings_and_prints_the_same_logits()
    {
        // For the machine it runs on, as the JIT compiles: the float kernels take the same vector path (the default
        // AOT target would take the 128-bit one, whose float sums round otherwise, and calibrate to other scales).
        PublishWithoutWarningsAndCompare("aot", "-p:PublishAot=true", "-p:IlcInstructionSet=native");
    }

    /// <summary>Publishes the walkthrough app for this machine, then runs the published executable.</summary>
    private void PublishWithoutWarningsAndCompare(string name, params string[] options)
    {
        string directory = Path.Combine(package.Root, name);
        string publish = PackageFixture.Require(
            DotnetCli.Run(package.App, ["publish", "-c", "Release", "-r", PackageFixture.Rid, "-o", directory, .. options]), $"dotnet publish ({name})");
        Assert.Empty(DotnetCli.Problems(publish));

        string run = PackageFixture.Require(
            DotnetCli.RunProgram(Path.Combine(directory, "App"), directory, package.Weights, package.MnistDirectory), $"the {name} app");
        Assert.Equal(package.JitLines, PackageFixture.Lines(run));
    }

    private string PackageReference() => $"<PackageReference Include=\"QuantGen\" Version=\"{package.Version}\" />";

    private string NewProject(string name, string packageReference, string extension = "csproj", string extraItems = "")
    {
        string project = Path.Combine(package.Root, name);
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, $"{name}.{extension}"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                {(extension == "csproj" ? "<ImplicitUsings>enable</ImplicitUsings><Nullable>enable</Nullable>" : "")}
              </PropertyGroup>
              <ItemGroup>
                {packageReference}
              </ItemGroup>
              {extraItems}
            </Project>
            """);
        return project;
    }
}
