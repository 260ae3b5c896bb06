using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.IO;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The generated float pass of the real MobileNetV2 sample, with the seed's trained weights: its logits against the
/// eager float model's on MNIST test images (the pass folds [Fuse]'s BatchNorms into copies of the weights, so the
/// two differ by float rounding only), batched and split over threads as one sample at a time, and nothing allocated.
/// </summary>
public sealed class FloatPassTests
{
    private const int TestImages = 64;

    /// <summary>
    /// The most a logit may differ from eager float's. The pass folds each BatchNorm into its convolution's weights
    /// (w·γ/√(var+ε)) where eager applies it after the convolution, and sums in another order at other batch sizes: a
    /// few float32 roundings per layer, ~1e-6 of logits of magnitude ~10.
    /// </summary>
    private const float Tolerance = 1e-4f;

    private static IPassDriver Float()
    {
        IPassDriver driver = CompiledModels.PassDriver(CompiledModels.MobileNetV2.Value);
        driver.Model.LoadStateDict(SafeTensors.Load(SharedData.Fixture("mobilenetv2", "mnv2_float.safetensors")));
        driver.Model.Eval();
        driver.Build();
        return driver;
    }

    [Fact]
    public void Float_logits_are_within_1e_4_of_eager_float_on_MNIST()
    {
        IPassDriver driver = Float();
        Tensor images = CompiledModels.Mnist.Value.Test.ToTensor(0, TestImages);
        float[] eager = driver.Model.Forward(images).Data;

        var generated = new float[eager.Length];
        driver.Forward(images.Data, generated, TestImages);

        FloatPassCheck.AssertWithinTolerance(eager, generated);
        // Not vacuous: the logits classify as the trained model does, and are far from zero.
        Assert.True(CompiledModels.Correct(generated, CompiledModels.Mnist.Value.Test.Labels) >= TestImages * 95 / 100);
        Assert.True(eager.Max(Math.Abs) > 1);
    }

    [Fact]
    public void A_batch_split_over_threads_gives_the_bits_of_the_same_passes_on_one_thread()
    {
        IPassDriver driver = Float();
        Tensor images = CompiledModels.Mnist.Value.Test.ToTensor(0, 8);
        // Two threads run slices of 4, each one pass of 4 samples: what one thread gives for those two passes.
        var passes = new float[8 * 10];
        driver.Forward(images.Data.AsSpan(0, 4 * 784), passes.AsSpan(0, 40), 4);
        driver.Forward(images.Data.AsSpan(4 * 784), passes.AsSpan(40), 4);

        var split = new float[passes.Length];
        driver.MaxThreads = 2;
        driver.Forward(images.Data, split, 8);
        CompiledModels.AssertBits(passes, split);

        // One sample at a time sums in other orders (the GEMMs tile the batch's pixels), but agrees within the tolerance.
        var alone = new float[passes.Length];
        for (int i = 0; i < 8; i++) driver.Forward(images.Data.AsSpan(i * 784, 784), alone.AsSpan(i * 10, 10));
        for (int i = 0; i < alone.Length; i++) Assert.True(Math.Abs(alone[i] - passes[i]) <= Tolerance, $"logit {i}: {alone[i]} alone, {passes[i]} batched");
    }

    [Fact]
    public void Forward_allocates_nothing()
    {
        IPassDriver driver = Float();
        float[] image = CompiledModels.Mnist.Value.Test.ToTensor(0, 1).Data;
        var logits = new float[10];
        Assert.Equal(0, CompiledModels.AllocatedBy100Calls(() => driver.Forward(image, logits)));
    }
}
