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

    [Fact]
    public void Forward_allocates_nothing()
    {
        ICompiledDriver driver = Quantized(QConfig.Default);
        float[] image = CompiledModels.Mnist.Value.Test.ToTensor(0, 1).Data;
        var logits = new float[10];
        Assert.Equal(0, CompiledModels.AllocatedBy100Calls(() => driver.Forward(image, logits)));
    }
}
