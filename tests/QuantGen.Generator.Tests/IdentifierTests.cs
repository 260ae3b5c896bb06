using System.Reflection;
using Microsoft.CodeAnalysis;
using QuantGen.Compiled;
using QuantGen.Generator.Emitting;
using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Quantization;

namespace QuantGen.Generator.Tests;

/// <summary>
/// Every name a C# field, class or namespace may have: the generated code compiles without a warning and runs, or a
/// QG diagnostic says why there is none. Reproducers of what an independent fuzz of the generator found (issue 16):
/// fields named '_fc', '@checked', in CJK or after object's members, and hint names that broke the build.
/// </summary>
public sealed class IdentifierTests
{
    /// <summary>The generator's run over sources: no exception, and generated files that compile without a warning.</summary>
    private static GeneratorRun Clean(GeneratorRun run)
    {
        Assert.Null(run.Exception);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CS8785");
        Assert.Empty(run.Analyzers.Exceptions);
        Assert.Empty(run.GeneratedCodeProblems);
        return run;
    }

    private static GeneratorRun Run(params (string Source, string Path)[] files) =>
        GeneratorHarness.Run(GeneratorHarness.NewDriver(), GeneratorHarness.Compilation([.. files.Select(f => GeneratorHarness.Tree(f.Source, f.Path))]));

    [Theory]
    [InlineData("_fc")]
    [InlineData("__fc")]
    [InlineData("_")]
    [InlineData("@checked")]
    [InlineData("@class")]
    [InlineData("@this")]
    [InlineData("卷积")]
    [InlineData("ß")]
    [InlineData("Equals")]
    [InlineData("GetHashCode")]
    [InlineData("ToString")]
    [InlineData("GetType")]
    [InlineData("ConcurrentWorkers")]
    [InlineData("n")]
    [InlineData("model")]
    [InlineData("source")]
    [InlineData("input")]
    [InlineData("output")]
    [InlineData("Eval")]
    [InlineData("var")]
    [InlineData("nameof")]
    [InlineData("Layout")]
    [InlineData("flatten")]
    [InlineData("Fc2Length")]
    public void A_field_of_any_name_generates_code_that_compiles_without_a_warning(string name)
    {
        GeneratorRun run = Clean(GeneratorHarness.Run(Mutations.Rename(Sources.SmallCnn, "fc1", name), "SmallCnn.cs"));
        Assert.Single(run.Sources);
        Assert.Empty(run.Qg);
    }

    [Fact]
    public void Names_that_lower_to_the_same_field_get_fields_of_their_own()
    {
        // The Kelvin sign (U+212A) lowers to 'k' as 'K' does: the fields of 'Kab' and 'Kab' must still differ.
        string source = Mutations.Rename(Mutations.Rename(Sources.SmallCnn, "fc1", "\u212Aab"), "fc2", "Kab");

        string text = Clean(GeneratorHarness.Run(source, "SmallCnn.cs")).Sources.Single().Text;
        Assert.Contains("CompiledLinear kab;", text);
        Assert.Contains("CompiledLinear kab2;", text);
    }

    [Fact]
    public void Fields_named_as_users_name_them_run_bit_equal_to_eager_int8()
    {
        // Every layer renamed in a style of its own; the weights stay the model's initial ones (the fixture's keys name
        // the original fields), and the generated pass must still equal the converted model bit for bit.
        string[] from = ["quant", "conv1", "bn1", "relu1", "pool1", "conv2", "relu2", "pool2", "fc1", "relu3", "fc2", "dequant"];
        string[] to = ["n", "_conv", "@checked", "卷积", "ß", "model", "source", "Eval", "_fc", "input", "output", "ConcurrentWorkers"];
        string source = Sources.SmallCnnFixture;
        for (int i = 0; i < from.Length; i++) source = Mutations.Rename(source, from[i], to[i]);

        GeneratorRun run = Clean(InMemoryAssembly.Compile((source, "SmallCnn.cs"), (Sources.Driver("SmallCnn"), "Driver.cs")));
        ICompiledDriver driver = InMemoryAssembly.Driver(run, "Sample.Driver");
        driver.Quantize(CompiledModels.Batches(CompiledModels.Mnist.Value.Train, 64, 64), QConfig.Default);
        Tensor images = CompiledModels.Mnist.Value.Test.ToTensor(0, 16);

        float[] eager = CompiledModels.EagerReference(driver.Model, images);
        var generated = new float[eager.Length];
        driver.Forward(images.Data, generated, 16);

        CompiledModels.AssertBits(eager, generated);
        Assert.Contains(eager, logit => logit != 0);
    }

    [Theory]
    [InlineData("namespace Sample", "namespace @class.@int", "SmallCnn", "class.int.SmallCnn.g.cs")]
    [InlineData("namespace Sample", "namespace @Sample", "SmallCnn", "Sample.SmallCnn.g.cs")]
    [InlineData("namespace Sample;", "", "SmallCnn", "SmallCnn.g.cs")]
    [InlineData("namespace Sample", "namespace 模型", "SmallCnn", "模型.SmallCnn.g.cs")]
    [InlineData("namespace Sample", "namespace Sample", "@class", "Sample.class.g.cs")]
    [InlineData("namespace Sample", "namespace Sample", "@record", "Sample.record.g.cs")]
    [InlineData("namespace Sample", "namespace Sample", "smallcnn", "Sample.smallcnn.g.cs")]
    [InlineData("namespace Sample", "namespace Sample", "卷积网络", "Sample.卷积网络.g.cs")]
    public void Classes_and_namespaces_that_need_escaping_generate_under_a_valid_hint_name(string namespaceFrom, string namespaceTo, string className, string hintName)
    {
        string source = Sources.SmallCnn.Replace(namespaceFrom, namespaceTo).Replace("class SmallCnn", "class " + className);

        GeneratorRun run = Clean(GeneratorHarness.Run(source, "SmallCnn.cs"));

        Assert.Equal(hintName, Assert.Single(run.Sources).HintName);
        // The user's own lower-case class name is warned about (CS8981) in the user's file only.
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void Classes_whose_names_differ_only_in_case_get_hint_names_of_their_own()
    {
        GeneratorRun run = Clean(Run((Sources.SmallCnn, "A.cs"), (Sources.SmallCnn.Replace("SmallCnn", "smallCnn"), "B.cs")));

        Assert.Equal(["Sample.SmallCnn.g.cs", "Sample.smallCnn_2.g.cs"], run.Sources.Select(s => s.HintName));
    }

    [Fact]
    public void A_file_local_class_is_an_attribute_error_not_code_that_cannot_join_it()
    {
        string file = Sources.SmallCnn.Replace("public sealed partial class", "file sealed partial class");

        // Two of them, one per file: what collided on one hint name before.
        GeneratorRun run = Clean(Run((file, "A.cs"), (file, "B.cs")));

        Assert.Empty(run.Sources);
        Assert.Equal(2, run.Qg.Count(d => d.Id == "QG0003" && d.GetMessage().Contains("file-local", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_class_whose_parts_both_carry_Quantize_is_generated_once()
    {
        const string secondPart = "namespace Sample; [QuantGen.Quantize(QuantGen.QuantMode.Static)] public sealed partial class SmallCnn { }";

        GeneratorRun run = Clean(Run((Sources.SmallCnn, "A.cs"), (secondPart, "B.cs")));

        Assert.Equal("Sample.SmallCnn.g.cs", Assert.Single(run.Sources).HintName);
        // The compiler says what is wrong; the generator and analyzers say nothing twice.
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS0579");
        Assert.Equal(run.Analyzers.Qg.Count(), run.Analyzers.Qg.Select(d => d.ToString()).Distinct().Count());
    }

    [Fact]
    public void Every_member_a_generated_pass_inherits_is_a_reserved_step_name()
    {
        var inherited = new[] { typeof(Int8Pass<>), typeof(FloatPass<>) }
            .SelectMany(pass => pass.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static))
            .Where(m => m is not ConstructorInfo && (m is not MethodBase method || method.IsPublic || method.IsFamily) && (m is not FieldInfo field || field.IsPublic || field.IsFamily)
                && (m is not PropertyInfo property || property.GetMethod is { } get && (get.IsPublic || get.IsFamily)))
            .Select(m => m.Name)
            .Where(name => !name.StartsWith("get_", StringComparison.Ordinal) && !name.StartsWith("set_", StringComparison.Ordinal))
            .Distinct();

        Assert.All(inherited, name => Assert.Contains(name, StepNames.Reserved));
    }
}
