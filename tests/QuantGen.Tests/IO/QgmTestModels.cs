using QuantGen.IO;
using QuantGen.IO.Qgm;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.IO;

/// <summary>Converted models for the .qgm tests, and ways to alter a saved file as damage or another writer would.</summary>
internal static class QgmTestModels
{
    private static readonly Lazy<MnistSet> Train = new(() => MnistSet.LoadTrain());

    /// <summary><paramref name="images"/> MNIST training images from the start, in batches of 64.</summary>
    public static IEnumerable<Tensor> CalibrationBatches(int images) =>
        Enumerable.Range(0, images / 64).Select(i => Train.Value.ToTensor(i * 64, 64));


    /// <summary>The small CNN fused as the PyTorch fixture, calibrated on 256 images and converted.</summary>
    public static SmallCnn StaticSmallCnn(QConfig qconfig)
    {
        var model = TrainedModels.SmallCnn();
        FuseModules(model, SmallCnn.FusionGroups);
        Prepare(model, qconfig);
        Calibrate(model, CalibrationBatches(256));
        Convert(model);
        return model;
    }

    /// <summary>The trained MobileNetV2 fused, calibrated on <paramref name="images"/> training images (QConfig.Default) and converted.</summary>
    public static MobileNetV2 StaticMobileNetV2(int images)
    {
        var model = TrainedModels.MobileNetV2();
        model.FuseModel();
        Prepare(model, QConfig.Default);
        Calibrate(model, CalibrationBatches(images));
        Convert(model);
        return model;
    }

    /// <summary>The small CNN with its Linear layers dynamically quantized; fused first if asked (then conv1 is float with bn1 folded).</summary>
    public static SmallCnn DynamicSmallCnn(bool fused)
    {
        var model = TrainedModels.SmallCnn();
        if (fused) FuseModules(model, SmallCnn.FusionGroups);
        QuantizeDynamic(model);
        return model;
    }

    private static readonly Lazy<byte[]> StaticSmallCnnFile = new(() =>
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "small_cnn.qgm");
        QgmFile.Save(StaticSmallCnn(QConfig.Default), path);
        return File.ReadAllBytes(path);
    });

    /// <summary>A saved static small CNN (QConfig.Default), written into <paramref name="temp"/>.</summary>
    public static string SavedSmallCnn(TempDirectory temp) => temp.WriteFile("small_cnn.qgm", StaticSmallCnnFile.Value);

    /// <summary>
    /// A copy of a .qgm file with its tensors and metadata edited: <paramref name="tensor"/> maps each tensor to
    /// its replacement (null drops it). With <paramref name="reseal"/> the checksum is recomputed, as a writer of
    /// wrong files would, so that the check behind it is what the test sees.
    /// </summary>
    public static string Edited(
        TempDirectory temp, string source, Func<string, TensorData, TensorData?>? tensor = null,
        Action<Dictionary<string, string>>? metadata = null, IEnumerable<(string, TensorData)>? extra = null, bool reseal = true)
    {
        var original = SafeTensors.Load(source);
        var edited = new StateDict();
        foreach (var (key, value) in original)
        {
            if ((tensor is null ? value : tensor(key, value)) is { } kept) edited.Add(key, kept);
        }
        foreach (var (key, value) in extra ?? []) edited.Add(key, value);
        foreach (var (key, value) in original.Metadata) edited.Metadata[key] = value;
        metadata?.Invoke(edited.Metadata);
        if (reseal) edited.Metadata[QgmFormat.ChecksumKey] = QgmChecksum.Of(edited);
        string path = Path.Combine(temp.Path, "edited.qgm");
        SafeTensors.Save(path, edited);
        return path;
    }

    /// <summary>Every layer has a substitute of the same type with the same int8 weights, qparams and bias.</summary>
    public static void AssertSameSubstitutes(Module expected, Module actual)
    {
        var loaded = actual.NamedModules().ToDictionary(m => m.Name, m => m.Module);
        foreach (var (path, module) in expected.NamedModules())
        {
            if (module is not Layer layer) continue;
            var other = Assert.IsAssignableFrom<Layer>(loaded[path]);
            Assert.Equal(layer.Substitute?.GetType(), other.Substitute?.GetType());
            var (weight, qparams, bias) = Parts(layer.Substitute);
            var (loadedWeight, loadedQParams, loadedBias) = Parts(other.Substitute);
            Assert.Equal(weight, loadedWeight);
            Assert.Equal(bias, loadedBias);
            Assert.Equal(qparams?.IsPerChannel, loadedQParams?.IsPerChannel);
            for (int c = 0; c < (qparams?.Count ?? 0); c++)
            {
                Assert.Equal(qparams!.Scale(c), loadedQParams!.Scale(c));
                Assert.Equal(qparams.ZeroPoint(c), loadedQParams.ZeroPoint(c));
            }
        }

        static (sbyte[]?, QuantGen.Kernels.Reference.WeightQParams?, float[]?) Parts(Module? substitute) => substitute switch
        {
            QuantizedConv2d c => (c.Weight, c.WeightQParams, c.Bias),
            QuantizedLinear l => (l.Weight, l.WeightQParams, l.Bias),
            DynamicQuantizedLinear d => (d.Weight, d.WeightQParams, d.Bias),
            _ => (null, null, null),
        };
    }

    /// <summary>Equal to the last bit, NaNs included: what "the loaded model runs as the converted one did" means.</summary>
    public static void AssertBitIdentical(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.False(actual.IsQuantized);
        for (int i = 0; i < expected.Length; i++)
        {
            int want = BitConverter.SingleToInt32Bits(expected.Data[i]), got = BitConverter.SingleToInt32Bits(actual.Data[i]);
            Assert.True(want == got, $"output {i}: converted model {expected.Data[i]:R}, loaded model {actual.Data[i]:R}");
        }
    }
}

/// <summary>A model with a float island: LayerNorm has no int8 kernel, so it runs in float between int8 Linear layers.</summary>
internal sealed class IslandNet : Module
{
    readonly QuantStub quant = new();
    readonly Linear fc1;
    readonly LayerNorm norm;
    readonly Linear fc2;
    readonly DeQuantStub dequant = new();

    public IslandNet(int inFeatures = 12, int hidden = 16, int outFeatures = 4)
    {
        fc1 = new Linear(inFeatures, hidden);
        norm = new LayerNorm(hidden);
        fc2 = new Linear(hidden, outFeatures);
    }

    public LayerNorm Norm => norm;

    public override Tensor Forward(Tensor x) => dequant.Forward(fc2.Forward(norm.Forward(fc1.Forward(quant.Forward(x)))));
}
