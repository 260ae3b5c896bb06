using System.Buffers.Binary;
using System.Text.Json;
using QuantGen.IO;
using QuantGen.Tests.Infrastructure;

namespace QuantGen.Tests.IO;

/// <summary>Reads the PyTorch-written fixtures and checks them against an independent parse of the same bytes.</summary>
public sealed class SafeTensorsFixtureTests
{
    [Fact]
    public void SmallCnn_HasPyTorchKeysInStateDictOrder()
    {
        StateDict dict = SafeTensors.Load(Fixtures.SmallCnnWeights);

        Assert.Equal(Fixtures.SmallCnnWeights, dict.Source);
        Assert.Equal(
            [
                "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
                "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
            ],
            dict.Keys);
    }

    [Fact]
    public void SmallCnn_ShapesAndDTypes()
    {
        StateDict dict = SafeTensors.Load(Fixtures.SmallCnnWeights);

        Assert.Equal(new Shape(8, 1, 3, 3), dict["conv1.weight"].Shape);
        Assert.Equal(new Shape(16, 8, 3, 3), dict["conv2.weight"].Shape);
        Assert.Equal(new Shape(32, 784), dict["fc1.weight"].Shape);
        Assert.Equal(new Shape(10), dict["fc2.bias"].Shape);
        Assert.All(dict.Where(p => p.Key != "bn1.num_batches_tracked"), p => Assert.Equal(DType.F32, p.Value.DType));

        TensorData batches = dict["bn1.num_batches_tracked"];
        Assert.Equal(DType.I64, batches.DType);
        Assert.Equal(0, batches.Shape.Rank);
        Assert.Equal([400L], batches.ToInt64()); // 400 Adam steps, per the fixture's README
    }

    [Fact]
    public void SmallCnn_MetadataIsRead()
    {
        StateDict dict = SafeTensors.Load(Fixtures.SmallCnnWeights);

        Assert.Equal("pt", dict.Metadata["format"]);
        Assert.Contains("SmallCnn", dict.Metadata["source"]);
    }

    [Fact]
    public void MobileNetV2_KeyCountDTypesShapesAndMetadata()
    {
        StateDict dict = SafeTensors.Load(Fixtures.MobileNetV2Weights);

        Assert.Equal(314, dict.Count);
        Assert.Equal(262, dict.Values.Count(t => t.DType == DType.F32));
        Assert.Equal(52, dict.Values.Count(t => t.DType == DType.I64)); // one num_batches_tracked per BatchNorm
        Assert.Equal("features.0.0.weight", dict.Keys.First());
        Assert.Equal("classifier.1.bias", dict.Keys.Last());
        Assert.Equal(new Shape(32, 1, 3, 3), dict["features.0.0.weight"].Shape);
        Assert.Equal(new Shape(10, 1280), dict["classifier.1.weight"].Shape);
        Assert.Equal(new Shape(), dict["features.0.1.num_batches_tracked"].Shape);
        Assert.Equal(2_236_106, LearnedParameterCount(dict)); // the README's figure

        Assert.Equal("pt", dict.Metadata["format"]);
        Assert.Contains("mobilenet_v2", dict.Metadata["source"]);
    }

    [Theory]
    [InlineData("small_cnn")]
    [InlineData("mnv2")]
    public void EveryTensor_MatchesAnIndependentParseOfTheFile(string fixture)
    {
        string path = fixture == "small_cnn" ? Fixtures.SmallCnnWeights : Fixtures.MobileNetV2Weights;
        byte[] file = File.ReadAllBytes(path);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        ReadOnlySpan<byte> data = file.AsSpan(8 + headerLength);
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, headerLength));

        StateDict dict = SafeTensors.Read(file, path);

        int checkedTensors = 0;
        foreach (JsonProperty entry in header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__"))
        {
            long begin = entry.Value.GetProperty("data_offsets")[0].GetInt64();
            int[] dims = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            TensorData tensor = dict[entry.Name];
            Assert.Equal(new Shape(dims), tensor.Shape);

            if (entry.Value.GetProperty("dtype").GetString() == "F32")
            {
                float[] values = tensor.ToFloat32();
                for (int i = 0; i < values.Length; i++)
                {
                    float expected = BinaryPrimitives.ReadSingleLittleEndian(data[(int)(begin + 4 * i)..]);
                    Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(values[i]));
                }
            }
            else
            {
                Assert.Equal(BinaryPrimitives.ReadInt64LittleEndian(data[(int)begin..]), Assert.Single(tensor.ToInt64()));
            }
            checkedTensors++;
        }
        Assert.Equal(dict.Count, checkedTensors);
    }

    [Fact]
    public void SmallCnn_FirstWeightsAreThoseInTheFile()
    {
        // Spot values printed by Python's struct module from the fixture, a check that needs no parser at all.
        float[] conv1 = SafeTensors.Load(Fixtures.SmallCnnWeights)["conv1.weight"].ToFloat32();

        Assert.Equal(0.0004709572531282902f, conv1[0]);
        Assert.Equal(0.1897435188293457f, conv1[1]);
        Assert.Equal(-0.25503551959991455f, conv1[2]);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        string path = Path.Combine(Path.GetTempPath(), "quantgen-no-such-file-" + Guid.NewGuid().ToString("N") + ".safetensors");

        Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(path));
    }

    /// <summary>What PyTorch's <c>sum(p.numel() for p in model.parameters())</c> counts: no BatchNorm buffers.</summary>
    private static long LearnedParameterCount(StateDict dict) => dict
        .Where(p => p.Value.DType == DType.F32 && !p.Key.EndsWith(".running_mean") && !p.Key.EndsWith(".running_var"))
        .Sum(p => p.Value.ElementCount);
}
