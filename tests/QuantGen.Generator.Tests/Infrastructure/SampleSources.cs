using Microsoft.CodeAnalysis;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Tests.Infrastructure;

/// <summary>The real sample models (samples/QuantGen.Models/*.cs) as the generator sees them in a user's build.</summary>
public static class SampleSources
{
    public static readonly string[] MobileNetV2Files = ["MobileNetV2.cs", "InvertedResidual.cs", "ConvBNReLU.cs"];

    /// <summary>The repository's root: the folder above the test binaries with QuantGen.sln.</summary>
    public static readonly string RepoRoot = FindRepoRoot();

    private static readonly string Folder = Path.Combine(RepoRoot, "samples", "QuantGen.Models");

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QuantGen.sln"))) return dir.FullName;
        }

        throw new DirectoryNotFoundException("QuantGen.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Read(string file) => File.ReadAllText(Path.Combine(Folder, file));

    /// <summary>What ImplicitUsings adds to the samples' build.</summary>
    public const string ImplicitUsings = "global using System;\nglobal using System.Collections.Generic;\nglobal using System.Linq;\n";

    /// <summary>Runs the generator over sample files, each by its own name (so that locations name the file).</summary>
    public static GeneratorRun Run(params (string Path, string Source)[] files) =>
        GeneratorHarness.Run(GeneratorHarness.NewDriver(), GeneratorHarness.Compilation(
            [GeneratorHarness.Tree(ImplicitUsings, "GlobalUsings.g.cs"), .. files.Select(f => GeneratorHarness.Tree(f.Source, f.Path))]));

    public static GeneratorRun RunMobileNetV2() => Run([.. MobileNetV2Files.Select(f => (f, Read(f)))]);

    /// <summary>The model the parser read, from the driver's tracked Parse step.</summary>
    internal static ModelSpec Spec(GeneratorRun run) =>
        Outputs<ParseResult>(run, TrackingNames.Parse).Select(r => r.Model).OfType<ModelSpec>().Single();

    /// <summary>The plan (shapes, fusions), from the driver's tracked Plan step.</summary>
    internal static ModelPlan Plan(GeneratorRun run) =>
        Outputs<PlanResult>(run, TrackingNames.Plan).Select(r => r.Plan).OfType<ModelPlan>().Single();

    /// <summary>The programs of <paramref name="step"/>: <see cref="TrackingNames.Int8Plan"/> (the int8 program) or <see cref="TrackingNames.FloatPlan"/> (all).</summary>
    internal static ProgramResult Programs(GeneratorRun run, string step) => Outputs<ProgramResult>(run, step).Single();

    private static IEnumerable<T> Outputs<T>(GeneratorRun run, string step) =>
        run.Driver.GetRunResult().Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Value).OfType<T>();
}
