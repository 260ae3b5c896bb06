using System.Runtime.CompilerServices;
using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Generator.Tests;

/// <summary>
/// Generated code compared as text with the files in Baselines/. Set QUANTGEN_UPDATE_BASELINES=1 to rewrite
/// them, then review the diff.
/// </summary>
public sealed class BaselineTests
{
    [Fact]
    public void SmallCnn_matches_its_baseline_and_compiles_without_warnings()
    {
        GeneratorRun run = GeneratorHarness.Run(Sources.SmallCnn, "SmallCnn.cs");

        Assert.Null(run.Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        AssertBaseline("SmallCnn.g.cs", run.Source("Sample.SmallCnn.g.cs"));
    }

    [Fact]
    public void MobileNetV2_sample_matches_its_baseline_and_compiles_without_warnings()
    {
        GeneratorRun run = SampleSources.RunMobileNetV2();

        AssertCleanBuild(run);
        AssertBaseline("MobileNetV2.g.cs", run.Source("QuantGen.Models.MobileNetV2.g.cs"));
    }

    [Fact]
    public void A_model_with_float_islands_matches_its_baseline()
    {
        GeneratorRun run = GeneratorHarness.Run(Sources.Islands, "Islands.cs");

        AssertCleanBuild(run);
        AssertBaseline("Islands.g.cs", run.Source("Sample.Islands.g.cs"));
    }

    [Fact]
    public void A_model_with_a_residual_add_matches_its_baseline()
    {
        GeneratorRun run = GeneratorHarness.Run(Sources.ResidualAdd, "TinyResNet.cs");

        AssertCleanBuild(run);
        AssertBaseline("TinyResNet.g.cs", run.Source("Sample.TinyResNet.g.cs"));
    }

    [Fact]
    public void A_model_with_layers_kept_in_float_matches_its_baseline()
    {
        // The residual branch's conv (through its fused BN) and the classifier in float: the Add reads the branch's
        // floats quantized and the classifier's floats go to the output unrounded.
        string source = Sources.ResidualAdd.Replace("[InputShape(1, 28, 28)]", "[InputShape(1, 28, 28)]\n[KeepFloat(\"bn\", \"fc\")]", StringComparison.Ordinal);
        GeneratorRun run = GeneratorHarness.Run(source, "TinyResNet.cs");

        AssertCleanBuild(run);
        AssertBaseline("KeptFloat.g.cs", run.Source("Sample.TinyResNet.g.cs"));
    }

    [Fact]
    public void A_dynamic_model_matches_its_baseline()
    {
        GeneratorRun run = GeneratorHarness.Run(DynamicPassTests.Mlp, "Mlp.cs");

        AssertCleanBuild(run);
        AssertBaseline("Mlp.g.cs", run.Source("Sample.Mlp.g.cs"));
    }

    private static void AssertCleanBuild(GeneratorRun run)
    {
        Assert.Null(run.Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
    }

    [Fact]
    public void Generated_constants_are_usable_from_user_code()
    {
        const string user = """
            static class Use
            {
                public const int Out = Sample.SmallCnn.OutputLength;
                public const int In = Sample.SmallCnn.InputLength;
                public const int Flat = Sample.SmallCnn.Shapes.FlattenLength;
                public static int Channels => Sample.SmallCnn.Shapes.Conv2[0];
            }
            """;
        var compilation = GeneratorHarness.Compilation(
            GeneratorHarness.Tree(Sources.SmallCnn, "SmallCnn.cs"), GeneratorHarness.Tree(user, "Use.cs"));
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.NewDriver(), compilation);

        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        Assert.Contains("public const int OutputLength = 10;", run.Source("Sample.SmallCnn.g.cs"));
        Assert.Contains("public const int FlattenLength = 784;", run.Source("Sample.SmallCnn.g.cs"));
    }

    private static void AssertBaseline(string name, string actual, [CallerFilePath] string thisFile = "")
    {
        string path = Path.Combine(Path.GetDirectoryName(thisFile)!, "Baselines", name);
        if (Environment.GetEnvironmentVariable("QUANTGEN_UPDATE_BASELINES") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"No baseline {path}; run the tests with QUANTGEN_UPDATE_BASELINES=1 to write it.");
        string expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.Equal(expected, actual.ReplaceLineEndings("\n"));
    }
}
