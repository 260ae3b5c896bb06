using System.Buffers.Binary;
using System.Text.Json;
using QuantGen.IO;
using QuantGen.Tests.Infrastructure;

namespace QuantGen.Tests.IO;

public sealed class SafeTensorsRoundTripTests
{
    public static TheoryData<DType, int[]> DTypesAndShapes()
    {
        var data = new TheoryData<DType, int[]>();
        foreach (DType dtype in Enum.GetValues<DType>())
        {
            data.Add(dtype, [2, 3, 5]);
            data.Add(dtype, []);     // a scalar, like num_batches_tracked
            data.Add(dtype, [4, 0]); // no elements at all
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(DTypesAndShapes))]
    public void EveryDType_SurvivesSerializeAndRead(DType dtype, int[] dims)
    {
        TensorData original = RandomTensor(dtype, new Shape(dims), seed: 17);
        var dict = new StateDict { { "t", original } };

        StateDict read = SafeTensors.Read(SafeTensors.Serialize(dict));

        TensorData back = Assert.Single(read.Values);
        Assert.Equal(dtype, back.DType);
        Assert.Equal(original.Shape, back.Shape);
        Assert.Equal(original.Bytes.ToArray(), back.Bytes.ToArray());
    }

    [Fact]
    public void MixedStateDict_KeepsOrderAndMetadata()
    {
        var dict = new StateDict();
        int seed = 0;
        foreach (DType dtype in Enum.GetValues<DType>().Reverse())
        {
            dict.Add($"layer{seed}.{dtype}", RandomTensor(dtype, new Shape(3, seed + 1), seed));
            seed++;
        }
        dict.Add("empty", RandomTensor(DType.BF16, new Shape(0), seed));
        dict.Metadata["format"] = "pt";
        dict.Metadata["note"] = "quotes \" and backslashes \\ and ünïcödé + <html>";

        StateDict read = SafeTensors.Read(SafeTensors.Serialize(dict));

        Assert.Equal(dict.Keys, read.Keys);
        Assert.Equal(dict.Metadata, read.Metadata);
        foreach (var (key, tensor) in dict)
        {
            Assert.Equal(tensor.DType, read[key].DType);
            Assert.Equal(tensor.Shape, read[key].Shape);
            Assert.Equal(tensor.Bytes.ToArray(), read[key].Bytes.ToArray());
        }
    }

    [Fact]
    public void Serialize_WritesTheReferenceLayout()
    {
        var dict = new StateDict { { "w", Tensor.FromArray([1f, 2f, 3f], 3) } };
        dict.Metadata["format"] = "pt";

        byte[] file = SafeTensors.Serialize(dict);

        int headerLength = SafeTensorsFiles.HeaderLength(file);
        string header = SafeTensorsFiles.HeaderText(file);
        Assert.Equal(0, headerLength % 8);
        Assert.Equal(
            """{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}""",
            header.TrimEnd(' '));
        Assert.Equal(8 + headerLength + 12, file.Length);
        Assert.Equal(3f, BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan(8 + headerLength + 8)));
    }

    [Fact]
    public void EmptyStateDict_RoundTrips()
    {
        byte[] file = SafeTensors.Serialize(new StateDict());

        Assert.Equal("{}      ", SafeTensorsFiles.HeaderText(file));
        Assert.Empty(SafeTensors.Read(file));
    }

    [Fact]
    public void MobileNetV2_RoundTripGivesIdenticalTensorsAndDataBuffer()
    {
        byte[] original = File.ReadAllBytes(Fixtures.MobileNetV2Weights);
        StateDict dict = SafeTensors.Read(original, Fixtures.MobileNetV2Weights);

        byte[] rewritten = SafeTensors.Serialize(dict);
        StateDict reread = SafeTensors.Read(rewritten);

        Assert.Equal(dict.Keys, reread.Keys);
        Assert.Equal(dict.Metadata, reread.Metadata);
        foreach (var (key, tensor) in dict)
        {
            Assert.Equal(tensor.DType, reread[key].DType);
            Assert.Equal(tensor.Shape, reread[key].Shape);
            Assert.True(tensor.Bytes.SequenceEqual(reread[key].Bytes), $"Tensor '{key}' changed in the round trip.");
        }
        // The fixture's writer laid tensors out in state dict order, as ours does: the buffers are equal.
        Assert.True(SafeTensorsFiles.DataBuffer(original).SequenceEqual(SafeTensorsFiles.DataBuffer(rewritten)));
    }

    [Fact]
    public void SaveThenLoad_ThroughAFile()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "small.safetensors");
        StateDict dict = SafeTensors.Load(Fixtures.SmallCnnWeights);

        SafeTensors.Save(path, dict);
        StateDict loaded = SafeTensors.Load(path);

        Assert.Equal(path, loaded.Source);
        Assert.Equal(dict.Keys, loaded.Keys);
        Assert.Equal(dict["fc1.weight"].Bytes.ToArray(), loaded["fc1.weight"].Bytes.ToArray());
        Assert.Equal(SafeTensors.Serialize(dict), File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_ToAStream_EqualsSerialize()
    {
        StateDict dict = SafeTensors.Load(Fixtures.SmallCnnWeights);
        using var stream = new MemoryStream();

        SafeTensors.Write(stream, dict);

        Assert.Equal(SafeTensors.Serialize(dict), stream.ToArray());
    }

    [Fact]
    public void OurHeader_IsValidJsonThatAnyParserReads()
    {
        StateDict dict = SafeTensors.Load(Fixtures.SmallCnnWeights);

        byte[] file = SafeTensors.Serialize(dict);

        using JsonDocument header = JsonDocument.Parse(SafeTensorsFiles.HeaderText(file));
        JsonElement numBatches = header.RootElement.GetProperty("bn1.num_batches_tracked");
        Assert.Equal("I64", numBatches.GetProperty("dtype").GetString());
        Assert.Equal(0, numBatches.GetProperty("shape").GetArrayLength());
        Assert.Equal([416L, 424L], numBatches.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public void Serialize_RejectsTheReservedMetadataName()
    {
        var dict = new StateDict { { "__metadata__", Tensor.Zeros(1) } };

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Serialize(dict));

        Assert.Equal("__metadata__", e.Key);
        Assert.Contains("reserved", e.Problem);
    }

    private static TensorData RandomTensor(DType dtype, Shape shape, int seed)
    {
        var bytes = new byte[shape.ElementCount * dtype.SizeInBytes()];
        new Random(seed).NextBytes(bytes);
        return new TensorData(dtype, shape, bytes);
    }
}
