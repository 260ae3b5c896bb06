using Microsoft.CodeAnalysis;
using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.IO;
using QuantGen.Quantization;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The real MobileNetV2 sample (samples/QuantGen.Models: the annotated class, its InvertedResidual and ConvBNReLU
/// blocks) compiled in memory with the generator and run: its generated Int8 forward equals the converted eager
/// int8 model bit for bit on MNIST test images with the seed's trained weights, in both configurations.
/// </summary>
public sealed class Int8MobileNetV2Tests
{
    private const int CalibrationImages = 256, TestImages = 256;

    private static readonly Lazy<GeneratorRun> Run = new(() => InMemoryAssembly.Compile(
        [(SampleSources.ImplicitUsings, "GlobalUsings.g.cs"),
         .. SampleSources.MobileNetV2Files.Select(file => (SampleSources.Read(file), file)),
         (Sources.Driver("QuantGen.Models.MobileNetV2"), "Driver.cs")]));

    private static readonly Lazy<(MnistSet Train, MnistSet Test)> Mnist = new(() => (MnistSet.LoadTrain(), MnistSet.LoadTest()));

    private static ICompiledDriver Quantized(QConfig qconfig)
    {
        GeneratorRun run = Run.Value;
        Assert.Null(run.Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));

        ICompiledDriver driver = InMemoryAssembly.Driver(run, "Sample.Driver");
        driver.Model.LoadStateDict(SafeTensors.Load(SharedData.Fixture("mobilenetv2", "mnv2_float.safetensors")));
        driver.Quantize(Batches(Mnist.Value.Train, CalibrationImages, 64), qconfig);
        return driver;
    }

    private static IEnumerable<Tensor> Batches(MnistSet set, int images, int size)
    {
        for (int start = 0; start < images; start += size) yield return set.ToTensor(start, Math.Min(size, images - start));
    }

    public static TheoryData<string> Configs => ["Default", "Onednn"];

    [Theory]
    [MemberData(nameof(Configs))]
    public void Int8_forward_equals_eager_int8_bit_for_bit_on_MNIST(string config)
    {
        ICompiledDriver driver = Quantized(config == "Default" ? QConfig.Default : QConfig.Onednn);
        Tensor images = Mnist.Value.Test.ToTensor(0, TestImages);

        float[] eager = driver.Model.Forward(images).Data;
        var generated = new float[eager.Length];
        driver.Forward(images.Data, generated, TestImages);

        for (int i = 0; i < eager.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(eager[i]) != BitConverter.SingleToInt32Bits(generated[i]))
            {
                Assert.Fail($"Logit {i % 10} of image {i / 10}: eager {eager[i]:R}, generated {generated[i]:R}.");
            }
        }

        // Not vacuous: the int8 logits classify as the trained model does (97.7 % on the full test set).
        int correct = 0;
        for (int i = 0; i < TestImages; i++)
        {
            int best = 0;
            for (int k = 1; k < 10; k++) best = generated[i * 10 + k] > generated[i * 10 + best] ? k : best;
            correct += best == Mnist.Value.Test.Labels[i] ? 1 : 0;
        }

        Assert.True(correct >= TestImages * 95 / 100, $"{correct} of {TestImages} correct");
    }

    [Fact]
    public void Forward_allocates_nothing()
    {
        ICompiledDriver driver = Quantized(QConfig.Default);
        float[] image = Mnist.Value.Test.ToTensor(0, 1).Data;
        var logits = new float[10];
        for (int i = 0; i < 10; i++) driver.Forward(image, logits);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) driver.Forward(image, logits);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
