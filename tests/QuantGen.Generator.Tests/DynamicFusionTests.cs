using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Nn;

namespace QuantGen.Generator.Tests;

/// <summary>
/// A <c>QuantMode.Dynamic</c> class with <c>[Fuse("Linear", "BN")]</c> and <c>[Fuse("Linear", "ReLU")]</c>: its generated
/// <c>QuantizeDynamic()</c> fuses as the attributes say before quantizing, as PyTorch's <c>fuse_modules</c> then
/// <c>quantize_dynamic</c> do, and its <c>Dynamic</c> pass runs the folded, quantized weights — equal to the eager dynamic
/// model bit for bit, and to the float model up to the quantization's error.
/// </summary>
public sealed class DynamicFusionTests
{
    private const string BnMlp = """
        using QuantGen;
        using QuantGen.Nn;

        namespace Sample;

        [Quantize(QuantMode.Dynamic)]
        [Fuse("Linear", "BN")]
        [Fuse("Linear", "ReLU")]
        [InputShape(1, 28, 28)]
        public sealed partial class BnMlp : Module
        {
            readonly Linear fc1 = new(784, 64);
            readonly BatchNorm1d bn1 = new(64);
            readonly ReLU relu1 = new();
            readonly Linear fc2 = new(64, 32);
            readonly ReLU relu2 = new();
            readonly Linear fc3 = new(32, 10);

            public override Tensor Forward(Tensor x) =>
                fc3.Forward(relu2.Forward(fc2.Forward(relu1.Forward(bn1.Forward(fc1.Forward(Flatten(x)))))));
        }
        """;

    private static readonly Lazy<GeneratorRun> Compiled = new(() => InMemoryAssembly.Compile((BnMlp, "BnMlp.cs"), (Sources.PassDriver("BnMlp", "Dynamic"), "PassDriver.cs")));

    /// <summary>Seeded weights and BatchNorm statistics far from the identity, the model in eval mode, not yet quantized.</summary>
    private static IPassDriver Seeded()
    {
        IPassDriver driver = CompiledModels.PassDriver(Compiled.Value);
        var random = new Random(18);
        CompiledModels.SeedWeights(driver.Model, random);
        FloatPassCheck.SeedBatchNorms(driver.Model, random);
        driver.Model.Eval();
        return driver;
    }

    [Fact]
    public void QuantizeDynamic_folds_the_BatchNorm_and_the_pass_equals_eager_dynamic_one_sample_at_a_time_bit_for_bit()
    {
        IPassDriver driver = Seeded();
        driver.Build();
        var fc1 = (Linear)driver.Model.GetSubmodule("fc1")!;
        Assert.True(fc1.HasFoldedBatchNorm);
        Assert.Equal(QuantGen.Kernels.FusedActivation.ReLU, ((Linear)driver.Model.GetSubmodule("fc2")!).Activation);

        const int images = 64;
        var eager = new float[images * 10];
        for (int i = 0; i < images; i++) driver.Model.Forward(CompiledModels.Mnist.Value.Test.ToTensor(i, 1)).Data.CopyTo(eager, i * 10);
        var generated = new float[eager.Length];
        driver.Forward(CompiledModels.Mnist.Value.Test.ToTensor(0, images).Data, generated, images);
        CompiledModels.AssertBits(eager, generated);

        float[] image = CompiledModels.Mnist.Value.Test.ToTensor(0, 1).Data;
        var logits = new float[10];
        Assert.Equal(0, CompiledModels.AllocatedBy100Calls(() => driver.Forward(image, logits)));
    }

    [Fact]
    public void The_pass_is_the_float_model_with_its_BatchNorm_up_to_the_quantizations_error()
    {
        IPassDriver driver = Seeded();
        const int images = 64;
        Tensor batch = CompiledModels.Mnist.Value.Test.ToTensor(0, images);
        float[] @float = driver.Model.Forward(batch).Data;

        driver.Build();
        var generated = new float[@float.Length];
        driver.Forward(batch.Data, generated, images);

        // int8 weights and per-sample int8 inputs: a few percent of the logits' spread; a BatchNorm left out (statistics
        // shifted by up to 0.5, scaled by 0.5 to 1.5) would move them by far more.
        float spread = @float.Max() - @float.Min();
        float worst = @float.Zip(generated, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 0.03f * spread, $"largest difference from float {worst}, logits spread over {spread}");
    }
}
