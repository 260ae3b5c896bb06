using QuantGen.Generator.Tests.Infrastructure;
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


    private static ICompiledDriver Quantized(QConfig qconfig) =>
        CompiledModels.Quantized(CompiledModels.MobileNetV2.Value, "mobilenetv2", "mnv2_float.safetensors", CalibrationImages, qconfig);

    public static TheoryData<string> Configs => ["Default", "Onednn"];

    [Theory]
    [MemberData(nameof(Configs))]
    public void Int8_forward_equals_eager_int8_bit_for_bit_on_MNIST(string config)
    {
        ICompiledDriver driver = Quantized(config == "Default" ? QConfig.Default : QConfig.Onednn);
        Tensor images = CompiledModels.Mnist.Value.Test.ToTensor(0, TestImages);

        float[] eager = CompiledModels.EagerReference(driver.Model, images);
        var generated = new float[eager.Length];
        driver.Forward(images.Data, generated, TestImages);

        CompiledModels.AssertBits(eager, generated);

        // Not vacuous: the int8 logits classify as the trained model does (97.7 % on the full test set).
        int correct = CompiledModels.Correct(generated, CompiledModels.Mnist.Value.Test.Labels);
        Assert.True(correct >= TestImages * 95 / 100, $"{correct} of {TestImages} correct");
    }

    /// <summary>
    /// One image at a time, the 1×1 layers run single rows, which on AVX-VNNI skip the weights of their zero bytes
    /// (SparseRow: the projections' inputs are about half zeros); in a batch they run whole tiles. The logits agree bit
    /// for bit.
    /// </summary>
    [Fact]
    public void Int8_forward_of_single_images_equals_the_batched_forward()
    {
        const int images = 16;
        ICompiledDriver driver = Quantized(QConfig.Default);
        Tensor batch = CompiledModels.Mnist.Value.Test.ToTensor(0, images);
        var batched = new float[images * 10];
        driver.Forward(batch.Data, batched, images);
        var single = new float[10];
        for (int i = 0; i < images; i++)
        {
            driver.Forward(batch.Data.AsSpan(i * 784, 784), single, 1);
            CompiledModels.AssertBits(batched.AsSpan(i * 10, 10).ToArray(), single);
        }
    }

    [Fact]
    public void Forward_allocates_nothing()
    {
        ICompiledDriver driver = Quantized(QConfig.Default);
        float[] image = CompiledModels.Mnist.Value.Test.ToTensor(0, 1).Data;
        var logits = new float[10];
        Assert.Equal(0, CompiledModels.AllocatedBy100Calls(() => driver.Forward(image, logits)));
    }
}
