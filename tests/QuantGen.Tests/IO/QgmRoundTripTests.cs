using QuantGen.IO.Qgm;
using QuantGen.Kernels;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;
using static QuantGen.Tests.IO.QgmTestModels;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.IO;

/// <summary>
/// Save a converted model, load the file into a freshly built one, and the loaded model must compute what the
/// converted model computes, bit for bit, on the 16 probe images.
/// </summary>
public sealed class QgmRoundTripTests
{
    public static TheoryData<string> QConfigs => [nameof(QConfig.Default), nameof(QConfig.Onednn)];

    [Theory]
    [MemberData(nameof(QConfigs))]
    public void A_static_small_CNN_loads_into_a_new_one_and_gives_the_same_logits_bit_for_bit(string config)
    {
        var converted = StaticSmallCnn(config == nameof(QConfig.Default) ? QConfig.Default : QConfig.Onednn);
        var images = Fixtures.LoadProbeImages();
        var expected = converted.Forward(images);
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "small_cnn.qgm");

        QgmFile.Save(converted, path);
        var loaded = QgmFile.Load(new SmallCnn(), path);

        AssertBitIdentical(expected, loaded.Forward(images));
        AssertSameSubstitutes(converted, loaded);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_dynamic_small_CNN_loads_with_its_float_convolutions_and_gives_the_same_logits(bool fused)
    {
        var converted = DynamicSmallCnn(fused);
        var images = Fixtures.LoadProbeImages();
        var expected = converted.Forward(images);
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "small_cnn_dynamic.qgm");

        QgmFile.Save(converted, path);
        var loaded = QgmFile.Load(new SmallCnn(), path);

        AssertBitIdentical(expected, loaded.Forward(images));
        AssertSameSubstitutes(converted, loaded);
        var conv1 = (Conv2d)loaded.GetSubmodule("conv1")!;
        Assert.Null(conv1.Substitute);
        Assert.Equal(fused, conv1.HasFoldedBatchNorm);
        Assert.Equal(fused ? FusedActivation.ReLU : FusedActivation.None, conv1.Activation);
        var savedConv1 = (Conv2d)converted.GetSubmodule("conv1")!;
        Assert.Equal(savedConv1.Weight.Data, conv1.Weight.Data);
        Assert.Equal(savedConv1.Bias?.Data, conv1.Bias?.Data);
    }

    [Fact]
    public void A_float_island_keeps_its_float_weights_and_its_output_qparams()
    {
        var converted = new IslandNet();
        Init.Uniform(converted.Norm.Weight!, 0.5f, 2f);
        Init.Uniform(converted.Norm.Bias!, -1f, 1f);

        var loaded = SavedAndLoadedIslandNet(converted);

        var island = Assert.IsType<FloatIsland>(((Layer)loaded.GetSubmodule("norm")!).Substitute);
        Assert.Same(loaded.Norm, island.Layer);
        Assert.Equal(converted.Norm.Weight!.Data, loaded.Norm.Weight!.Data);
        Assert.Equal(converted.Norm.Bias!.Data, loaded.Norm.Bias!.Data);
    }

    [Fact]
    public void A_layer_kept_in_float_keeps_its_float_weights_and_its_output_qparams()
    {
        var converted = new IslandNet();

        var loaded = SavedAndLoadedIslandNet(converted, keepFloat: "fc2");

        var saved = (KeptFloatLayer)((Layer)converted.GetSubmodule("fc2")!).Substitute!;
        var kept = Assert.IsType<KeptFloatLayer>(((Layer)loaded.GetSubmodule("fc2")!).Substitute);
        Assert.Equal(saved.Output, kept.Output);
        Assert.Equal(((Linear)converted.GetSubmodule("fc2")!).Weight.Data, ((Linear)loaded.GetSubmodule("fc2")!).Weight.Data);
    }

    /// <summary>Converts <paramref name="converted"/> (calibrated on uniform inputs), saves and loads it, and checks that the loaded model answers bit for bit as it does.</summary>
    private static IslandNet SavedAndLoadedIslandNet(IslandNet converted, params string[] keepFloat)
    {
        converted.Eval();
        Prepare(converted, QConfig.Default, keepFloat);
        var inputs = Tensor.Zeros(32, 12);
        Init.Uniform(inputs, -3f, 3f);
        Calibrate(converted, [inputs]);
        Convert(converted);
        var expected = converted.Forward(inputs);
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "islands.qgm");

        QgmFile.Save(converted, path);
        var loaded = QgmFile.Load(new IslandNet(), path);

        AssertBitIdentical(expected, loaded.Forward(inputs));
        return loaded;
    }

    [Fact]
    public void Inspect_tells_the_architecture_version_mode_and_layers_without_a_model()
    {
        using var temp = new TempDirectory();
        string path = SavedSmallCnn(temp);

        var info = QgmFile.Inspect(path);

        Assert.Equal("QuantGen.Models.SmallCnn", info.Architecture);
        Assert.Equal(2, info.FormatVersion);
        Assert.Equal(QgmMode.Static, info.Mode);
        Assert.StartsWith("sha256:", info.StructureSignature);
        Assert.Equal("QuantizedConv2d", info.Substitutes["conv1"]);
        Assert.Equal("Identity", info.Substitutes["bn1"]);
        Assert.Equal("QuantizeStep", info.Substitutes["quant"]);
        Assert.Equal("BatchNorm2d+ReLU", info.Fusions["conv1"]);
        Assert.Equal("ReLU", info.Fusions["fc1"]);
        Assert.Contains("QuantGen.Models.SmallCnn, static int8", info.ToString());
    }

    [Fact]
    public void The_file_reads_like_a_PyTorch_quantized_state_dict_and_stores_no_float_weight_of_an_int8_layer()
    {
        using var temp = new TempDirectory();
        var file = QuantGen.IO.SafeTensors.Load(SavedSmallCnn(temp));

        string[] expected =
        [
            "quant.scale", "quant.zero_point",
            "conv1.weight", "conv1.weight_scale", "conv1.weight_zero_point", "conv1.bias", "conv1.scale", "conv1.zero_point",
            "conv2.weight", "conv2.weight_scale", "conv2.weight_zero_point", "conv2.bias", "conv2.scale", "conv2.zero_point",
            "fc1.weight", "fc1.weight_scale", "fc1.weight_zero_point", "fc1.bias", "fc1.scale", "fc1.zero_point",
            "fc2.weight", "fc2.weight_scale", "fc2.weight_zero_point", "fc2.bias", "fc2.scale", "fc2.zero_point",
        ];
        Assert.Equal(expected, file.Keys);
        Assert.Equal(DType.I8, file["conv1.weight"].DType);
        Assert.Equal(new Shape(8, 1, 3, 3), file["conv1.weight"].Shape);
        Assert.Equal(DType.F32, file["conv1.weight_scale"].DType);
        Assert.Equal(DType.I32, file["conv1.weight_zero_point"].DType);
        Assert.Equal(new Shape(), file["conv1.scale"].Shape);
        Assert.Equal("quantgen.qgm", file.Metadata["format"]);
        Assert.Equal("2", file.Metadata["format_version"]);
        Assert.Equal("static", file.Metadata["mode"]);
    }

    [Fact]
    public void A_loaded_model_saves_to_the_same_bytes()
    {
        using var temp = new TempDirectory();
        string first = SavedSmallCnn(temp);
        string second = Path.Combine(temp.Path, "again.qgm");

        QgmFile.Save(QgmFile.Load(new SmallCnn(), first), second);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }
}
