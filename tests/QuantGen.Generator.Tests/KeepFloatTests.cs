using Microsoft.CodeAnalysis;
using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Quantization;

namespace QuantGen.Generator.Tests;

/// <summary>
/// <c>[KeepFloat]</c> on the real MobileNetV2 sample: its classifier and last block (<c>features.18</c>, the 1×1 ConvBNReLU
/// to 1,280 channels) kept in float. The generated int8 pass runs them as float steps with the conversions planned at
/// compile time and equals the eager model converted with the same layers kept float, bit for bit, on MNIST; a
/// misspelled path is QG0015 at the argument, naming the closest path.
/// </summary>
public sealed class KeepFloatTests
{
    private const int CalibrationImages = 256, TestImages = 256;
    private const string KeepFloat = "[KeepFloat(\"features.18\", \"classifier\")]";

    private static readonly Lazy<ICompiledDriver> Quantized = new(() => QuantizedWith(KeepFloat));

    /// <summary>
    /// Layers amid int8 ones: a depthwise convolution, a projection kept through its fused-away BatchNorm, and a whole
    /// residual block (its Add reads the int8 block input dequantized and the kept projection's floats).
    /// </summary>
    private static readonly Lazy<ICompiledDriver> QuantizedAmid = new(() =>
        QuantizedWith("[KeepFloat(\"features.1.conv.0.0\", \"features.2.conv.3\")]\n[KeepFloat(\"features.5\")]"));

    /// <summary>MobileNetV2 with <paramref name="attribute"/>, compiled in memory, with the seed's weights, calibrated and converted by its generated glue.</summary>
    private static ICompiledDriver QuantizedWith(string attribute) => CompiledModels.Quantized(
        InMemoryAssembly.Compile(
            [(SampleSources.ImplicitUsings, "GlobalUsings.g.cs"),
             .. MobileNetV2With(attribute),
             (Sources.Driver("QuantGen.Models.MobileNetV2"), "Driver.cs")]),
        "mobilenetv2", "mnv2_float.safetensors", CalibrationImages, QConfig.Default);

    /// <summary>The sample's files with <paramref name="attribute"/> on the MobileNetV2 class.</summary>
    private static IEnumerable<(string Source, string Path)> MobileNetV2With(string attribute) =>
        SampleSources.MobileNetV2Files.Select(file => (file == "MobileNetV2.cs"
            ? SampleSources.Read(file).Replace("public sealed partial class MobileNetV2 : Module", attribute + "\npublic sealed partial class MobileNetV2 : Module", StringComparison.Ordinal)
            : SampleSources.Read(file), file));

    [Fact]
    public void Generated_pass_equals_the_eager_model_with_the_same_layers_kept_float_bit_for_bit_on_MNIST()
    {
        ICompiledDriver driver = Quantized.Value;

        float[] generated = GeneratedEqualsEagerOnMnist(driver);

        // The eager model keeps exactly those layers float (the fused conv of features.18 and the classifier's Linear).
        Assert.Equal(["features.18.0", "classifier.1"], KeptLayers(driver));
        // Float logits, not requantized to the 8-bit grid of the range observed at the classifier.
        var grid = ((KeptFloatLayer)((Nn.Layer)driver.Model.GetSubmodule("classifier.1")!).Substitute!).Output;
        Assert.Contains(generated, v => MathF.Abs(v / grid.Scale - MathF.Round(v / grid.Scale)) > 0.01f);
    }

    [Fact]
    public void Layers_kept_amid_int8_ones_equal_eager_bit_for_bit_on_MNIST()
    {
        ICompiledDriver driver = QuantizedAmid.Value;

        GeneratedEqualsEagerOnMnist(driver);

        Assert.Equal(["features.1.conv.0.0", "features.2.conv.2", "features.5.conv.0.0", "features.5.conv.1.0", "features.5.conv.2", "features.5.skipAdd"], KeptLayers(driver));
    }

    /// <summary>
    /// The generated pass's logits on the first MNIST test images, checked equal bit for bit to the converted eager model's
    /// (its int8 layers on the reference kernels) and, so that the check is not vacuous, classifying as the trained model does.
    /// </summary>
    private static float[] GeneratedEqualsEagerOnMnist(ICompiledDriver driver)
    {
        Tensor images = CompiledModels.Mnist.Value.Test.ToTensor(0, TestImages);
        float[] eager = CompiledModels.EagerReference(driver.Model, images);
        var generated = new float[eager.Length];
        driver.Forward(images.Data, generated, TestImages);

        CompiledModels.AssertBits(eager, generated);
        int correct = CompiledModels.Correct(generated, CompiledModels.Mnist.Value.Test.Labels);
        Assert.True(correct >= TestImages * 95 / 100, $"{correct} of {TestImages} correct");
        return generated;
    }

    /// <summary>The paths of the eager model's layers that run as <see cref="KeptFloatLayer"/>.</summary>
    private static string[] KeptLayers(ICompiledDriver driver) =>
        [.. driver.Model.NamedModules().Where(m => m.Module is Nn.Layer { Substitute: KeptFloatLayer }).Select(m => m.Name)];

    [Fact]
    public void Forward_allocates_nothing()
    {
        ICompiledDriver driver = Quantized.Value;
        float[] image = CompiledModels.Mnist.Value.Test.ToTensor(0, 1).Data;
        var logits = new float[10];
        Assert.Equal(0, CompiledModels.AllocatedBy100Calls(() => driver.Forward(image, logits)));
    }

    [Fact]
    public void A_misspelled_path_is_QG0015_at_the_argument_naming_the_closest_path()
    {
        GeneratorRun run = SampleSources.Run([.. MobileNetV2With("[KeepFloat(\"features.18\", \"clasifier.1\")]").Select(f => (f.Path, f.Source))]);

        Assert.Null(run.Exception);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "QG0015");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("'MobileNetV2' has no module 'clasifier.1' to keep in float; did you mean 'classifier.1'?", diagnostic.GetMessage());
        SyntaxTree file = run.Input.SyntaxTrees.Single(t => t.FilePath == diagnostic.Location.GetLineSpan().Path);
        Assert.Equal("\"clasifier.1\"", file.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Equal("classifier.1", diagnostic.Properties[Diagnostics.DiagnosticDescriptors.FixValueProperty]);
    }

    public static TheoryData<string> Unusable => ["[KeepFloat(null)]", "[KeepFloat(\"\")]", "[KeepFloat()]", "[KeepFloat(\"fc\", null)]"];

    [Theory]
    [MemberData(nameof(Unusable))]
    public void An_unusable_KeepFloat_is_QG0003_and_never_an_exception(string attribute)
    {
        string source = Sources.ResidualAdd.Replace("[InputShape(1, 28, 28)]", "[InputShape(1, 28, 28)]\n" + attribute, StringComparison.Ordinal);

        GeneratorRun run = GeneratorHarness.Run(source, "TinyResNet.cs");

        Assert.Null(run.Exception);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "QG0003" && d.GetMessage().Contains("[KeepFloat]", StringComparison.Ordinal));
    }

    [Fact]
    public void A_path_written_as_an_array_is_checked_too_and_QAT_says_it_has_no_int8_pass_with_KeepFloat()
    {
        string array = Sources.ResidualAdd.Replace("[InputShape(1, 28, 28)]", "[InputShape(1, 28, 28)]\n[KeepFloat(new[] { \"fc\", \"skp\" })]", StringComparison.Ordinal);
        GeneratorRun run = GeneratorHarness.Run(array, "TinyResNet.cs");
        Assert.Null(run.Exception);
        Assert.Contains("did you mean 'skip'?", Assert.Single(run.GeneratorDiagnostics, d => d.Id == "QG0015").GetMessage(), StringComparison.Ordinal);

        string qat = Sources.ResidualAdd
            .Replace("[InputShape(1, 28, 28)]", "[InputShape(1, 28, 28)]\n[KeepFloat(\"fc\")]", StringComparison.Ordinal)
            .Replace("QuantMode.Static", "QuantMode.Qat", StringComparison.Ordinal);
        run = GeneratorHarness.Run(qat, "TinyResNet.cs");
        Assert.Null(run.Exception);
        Assert.Contains("[KeepFloat] does not combine with QuantMode.Qat", Assert.Single(run.GeneratorDiagnostics, d => d.Id == "QG0008").GetMessage(), StringComparison.Ordinal);
    }
}
