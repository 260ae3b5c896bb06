using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.IO;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The generated Float pass of the zoo's networks with their PyTorch-trained weights, on MNIST: MobileNetV3-style
/// (FloatFunctional's Mul gate, Add, Cat, pointwise activations), the encoder-decoder (ConvTranspose2d with a folded
/// BatchNorm2d, Upsample, SiLU, GELU, GroupNorm) and RowConvNet (Conv1d with a folded BatchNorm1d, the 1-D pools).
/// Each within 1e-4 of its eager float model, and nothing allocated per call.
/// </summary>
public sealed class FloatPassZooTests
{
    public static TheoryData<string, string> Zoo => new() { { "Mnv3Small", "mnv3_small" }, { "EncoderDecoder", "encoder_decoder" } };

    [Theory]
    [MemberData(nameof(Zoo))]
    public void A_zoo_networks_Float_pass_is_within_1e_4_of_eager_float_and_allocates_nothing(string className, string fileStem)
    {
        GeneratorRun run = FloatPassCheck.Compile(File.ReadAllText(ZooFixture.ZooFile(className + ".cs")), className + ".cs", className);
        IPassDriver driver = CompiledModels.PassDriver(run);
        driver.Model.LoadStateDict(SafeTensors.Load(ZooFixture.ZooFile(fileStem + ".safetensors")));
        FloatPassCheck.AssertMatchesEagerAndAllocatesNothing(driver, new ZooFixture(className, fileStem).Probes());
    }

    [Fact]
    public void RowConvNets_Float_pass_is_within_1e_4_of_eager_float_and_allocates_nothing()
    {
        GeneratorRun run = InMemoryAssembly.Compile(
            (SampleSources.ImplicitUsings, "GlobalUsings.g.cs"),
            (SampleSources.Read("RowConvNet.cs"), "RowConvNet.cs"),
            (Sources.PassDriver("QuantGen.Models.RowConvNet", "Float"), "PassDriver.cs"));
        IPassDriver driver = CompiledModels.PassDriver(run);
        driver.Model.LoadStateDict(SafeTensors.Load(Path.Combine(SampleSources.RepoRoot, "tests", "QuantGen.Tests", "Fixtures", "row_conv_net.safetensors")));
        // [N, 28, 28]: each image as 28 row signals of 28 pixels.
        FloatPassCheck.AssertMatchesEagerAndAllocatesNothing(driver, CompiledModels.Mnist.Value.Test.ToTensor(0, 64).Reshape(64, 28, 28));
    }
}
