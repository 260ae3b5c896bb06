using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Tests.Infrastructure;

namespace QuantGen.Tests.Models;

/// <summary>Float logits of the 16 probe images against PyTorch's, read from the fixture files.</summary>
public class ParityWithPyTorchTests
{
    [Fact]
    public void SmallCnn_float_logits_are_within_1e_4_of_PyTorch()
    {
        var model = TrainedModels.SmallCnn();

        var logits = model.Forward(Fixtures.LoadProbeImages());

        AssertClose(Fixtures.ReadMatrix(Fixtures.SmallCnnTruth, "float_logits"), logits, 1e-4);
    }

    [Fact]
    public void MobileNetV2_float_logits_are_within_1e_3_of_PyTorch()
    {
        var model = TrainedModels.MobileNetV2();

        var logits = model.Forward(Fixtures.LoadProbeImages());

        AssertClose(Fixtures.ReadMatrix(Fixtures.MobileNetV2Truth, "float_logits"), logits, 1e-3);
    }

    [Fact]
    public void MobileNetV2_gives_the_same_logits_one_image_at_a_time_as_in_a_batch()
    {
        var model = TrainedModels.MobileNetV2();
        var images = Fixtures.LoadProbeImages();
        var batched = model.Forward(images);

        for (int i = 0; i < 16; i++)
        {
            var one = model.Forward(Tensor.FromArray(images.Data.AsSpan(i * 784, 784).ToArray(), 1, 1, 28, 28));
            for (int k = 0; k < 10; k++)
            {
                Assert.True(Math.Abs(one.Data[k] - batched.Data[i * 10 + k]) <= 1e-4, $"image {i}, class {k}: {one.Data[k]} alone vs {batched.Data[i * 10 + k]} in the batch");
            }
        }
    }

    [Fact]
    public void MobileNetV2_has_torchvision_parameter_count_and_every_fixture_key()
    {
        var model = new MobileNetV2();
        var file = SafeTensors.Load(Fixtures.MobileNetV2Weights);

        Assert.Equal(2_236_106, model.ParameterCount());
        Assert.Equal(file.Keys.Order(StringComparer.Ordinal), model.StateDict().Keys.Order(StringComparer.Ordinal));
    }


    private static void AssertClose(float[][] expected, Tensor actual, double tolerance)
    {
        Assert.Equal(new Shape(expected.Length, expected[0].Length), actual.Shape);
        for (int i = 0; i < expected.Length; i++)
        {
            for (int k = 0; k < expected[i].Length; k++)
            {
                double diff = Math.Abs(expected[i][k] - actual[i, k]);
                Assert.True(diff <= tolerance, $"image {i}, class {k}: PyTorch {expected[i][k]}, QuantGen {actual[i, k]} (|Δ| = {diff:G3} > {tolerance})");
            }
        }
    }
}
