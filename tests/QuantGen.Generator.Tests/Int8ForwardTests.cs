using Microsoft.CodeAnalysis;
using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.IO;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The generated Int8 forward pass compiled, loaded and run: equal bit for bit to the converted (eager int8)
/// model it was built from, on real MNIST images with PyTorch-trained weights, allocating nothing per call.
/// </summary>
public sealed class Int8ForwardTests
{
    private const int CalibrationImages = 320, TestImages = 256;

    private static readonly Lazy<GeneratorRun> SmallCnnRun = new(() =>
        InMemoryAssembly.Compile((Sources.SmallCnnFixture, "SmallCnn.cs"), (Sources.Driver("SmallCnn"), "Driver.cs")));

    /// <summary>The fixture's SmallCnn with PyTorch's weights, calibrated and converted through the generated glue.</summary>
    private static ICompiledDriver QuantizedSmallCnn(QConfig? qconfig) =>
        CompiledModels.Quantized(SmallCnnRun.Value, "pytorch", "small_cnn.safetensors", CalibrationImages, qconfig);

    public static TheoryData<string> Configs => ["Default", "Onednn"];

    private static QConfig Config(string name) => name == "Default" ? QConfig.Default : QConfig.Onednn;

    [Theory]
    [MemberData(nameof(Configs))]
    public void Int8_forward_equals_eager_int8_bit_for_bit_on_MNIST(string config)
    {
        ICompiledDriver driver = QuantizedSmallCnn(Config(config));
        Tensor images = CompiledModels.Mnist.Value.Test.ToTensor(0, TestImages);

        float[] eager = CompiledModels.EagerReference(driver.Model, images);
        var generated = new float[eager.Length];
        for (int i = 0; i < TestImages; i++)
        {
            driver.Forward(images.Data.AsSpan(i * 784, 784), generated.AsSpan(i * 10, 10));
        }

        AssertBits(eager, generated);

        // Not vacuous: the int8 logits classify MNIST as well as the trained model does.
        int correct = CompiledModels.Correct(generated, CompiledModels.Mnist.Value.Test.Labels);
        Assert.True(correct >= TestImages * 9 / 10, $"{correct} of {TestImages} correct");
    }

    [Fact]
    public void The_attributes_qconfig_is_the_default_and_From_rebuilds_the_same_pass()
    {
        // Sources.SmallCnn has [Quantize(QuantMode.Static)]: per-tensor MinMax, QConfig.Default.
        ICompiledDriver driver = QuantizedSmallCnn(qconfig: null);
        Tensor images = CompiledModels.Mnist.Value.Test.ToTensor(0, 32);
        float[] eager = CompiledModels.EagerReference(driver.Model, images);

        driver.RebuildFromModel();
        var generated = new float[eager.Length];
        driver.Forward(images.Data, generated, 32);
        AssertBits(eager, generated);
    }

    [Fact]
    public void The_batched_overload_equals_one_call_per_sample()
    {
        ICompiledDriver driver = QuantizedSmallCnn(QConfig.Onednn);
        Tensor images = CompiledModels.Mnist.Value.Test.ToTensor(0, 16);
        var batched = new float[16 * 10];
        var single = new float[16 * 10];

        driver.Forward(images.Data, batched, 16);
        for (int i = 0; i < 16; i++) driver.Forward(images.Data.AsSpan(i * 784, 784), single.AsSpan(i * 10, 10));

        AssertBits(single, batched);
        Assert.Throws<ArgumentException>(() => driver.Forward(images.Data, batched, 15));
    }

    [Fact]
    public void Forward_allocates_nothing()
    {
        ICompiledDriver driver = QuantizedSmallCnn(QConfig.Onednn);
        float[] image = CompiledModels.Mnist.Value.Test.ToTensor(0, 1).Data;
        var logits = new float[10];
        CompiledModels.PastTieredJit(() => driver.Forward(image, logits));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) driver.Forward(image, logits);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Wrong_lengths_say_which_length_is_expected()
    {
        ICompiledDriver driver = QuantizedSmallCnn(QConfig.Default);
        var error = Assert.Throws<ArgumentException>(() => driver.Forward(new float[783], new float[10]));
        Assert.Contains("InputLength = 784", error.Message);
        error = Assert.Throws<ArgumentException>(() => driver.Forward(new float[784], new float[9]));
        Assert.Contains("OutputLength = 10", error.Message);
    }

    [Fact]
    public void A_model_fused_otherwise_than_Fuse_says_is_rejected_by_path()
    {
        // The plain SmallCnn source plans only conv1+bn1+relu1; a model fused as the fixture (conv2+relu2 too) differs.
        GeneratorRun run = InMemoryAssembly.Compile((Sources.SmallCnn, "SmallCnn.cs"), (Sources.Driver("SmallCnn"), "Driver.cs"));
        ICompiledDriver driver = InMemoryAssembly.Driver(run, "Sample.Driver");
        driver.Model.LoadStateDict(SafeTensors.Load(SharedData.Fixture("pytorch", "small_cnn.safetensors")));
        driver.Model.Eval();
        EagerQuantization.FuseModules(driver.Model, ["conv1", "bn1", "relu1"], ["conv2", "relu2"]);

        var error = Assert.Throws<QuantizationException>(() => driver.Quantize(CompiledModels.Batches(CompiledModels.Mnist.Value.Train, 64, 64), QConfig.Default));
        Assert.Contains("'conv2'", error.Message);
        Assert.Contains("fused activation", error.Message);
    }

    [Fact]
    public void Float_islands_equal_eager_int8_bit_for_bit()
    {
        GeneratorRun run = InMemoryAssembly.Compile((Sources.Islands, "Islands.cs"), (Sources.Driver("Islands"), "Driver.cs"));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("CompiledLayerNorm.Create(model, \"norm\"", run.Source("Sample.Islands.g.cs"));
        ICompiledDriver driver = InMemoryAssembly.Driver(run, "Sample.Driver");

        var random = new Random(7);
        Tensor Batch(int n) => CompiledModels.RandomImages(random, n, 8);

        driver.Model.Eval();
        driver.Quantize([Batch(32), Batch(32)], qconfig: null);
        Tensor inputs = Batch(64);
        float[] eager = CompiledModels.EagerReference(driver.Model, inputs);
        var generated = new float[eager.Length];
        driver.Forward(inputs.Data, generated, 64);
        AssertBits(eager, generated);

        CompiledModels.PastTieredJit(() => driver.Forward(inputs.Data.AsSpan(0, 64), generated.AsSpan(0, 10)));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) driver.Forward(inputs.Data.AsSpan(0, 64), generated.AsSpan(0, 10));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void AssertBits(float[] expected, float[] actual) => CompiledModels.AssertBits(expected, actual);

    [Fact]
    public void A_Qat_model_gets_PrepareQat_and_its_Int8_equals_eager_int8_after_convert()
    {
        GeneratorRun run = InMemoryAssembly.Compile((Sources.SmallCnnQat, "SmallCnn.cs"), (Sources.QatDriver("SmallCnn"), "Driver.cs"));
        Assert.Contains("public global::Sample.SmallCnn PrepareQat(", run.Source("Sample.SmallCnn.g.cs"));
        Assert.DoesNotContain(" Calibrate(", run.Source("Sample.SmallCnn.g.cs"));

        ICompiledDriver driver = CompiledModels.Quantized(run, "pytorch", "small_cnn.safetensors", CalibrationImages, qconfig: null);
        Tensor images = CompiledModels.Mnist.Value.Test.ToTensor(0, 64);
        float[] eager = CompiledModels.EagerReference(driver.Model, images);
        var generated = new float[eager.Length];
        driver.Forward(images.Data, generated, 64);

        AssertBits(eager, generated);
        Assert.True(CompiledModels.Correct(generated, CompiledModels.Mnist.Value.Test.Labels) >= 58, "the QAT-converted int8 model should classify as the trained one does");
    }
}
