using QuantGen.IO;
using QuantGen.IO.Qgm;
using QuantGen.Models;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;
using static QuantGen.Quantization.EagerQuantization;
using static QuantGen.Tests.IO.QgmTestModels;

namespace QuantGen.Tests.IO;

/// <summary>
/// MobileNetV2 fused, calibrated (on 128 images, to keep the test fast) and converted statically: its .qgm file
/// is about as small as PyTorch's quantized state dict, and loads into a new MobileNetV2 that gives the same logits.
/// </summary>
public sealed class QgmMobileNetV2Tests
{
    /// <summary>PyTorch's quantized MobileNetV2 state dict is 2.36 MB (MinMax); the float model 9.1 MB.</summary>
    private const long MaxFileBytes = 2_500_000;

    [Fact]
    public void A_static_MobileNetV2_file_is_at_most_2_5_MB_and_loads_with_bit_identical_logits()
    {
        var converted = StaticMobileNetV2(128);
        var images = MnistSet.LoadTest().ToTensor(0, 3);
        var expected = converted.Forward(images);
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "mnv2.qgm");

        QgmFile.Save(converted, path);
        long size = new FileInfo(path).Length;
        var loaded = QgmFile.Load(new MobileNetV2(), path);

        Assert.True(size <= MaxFileBytes, $"the .qgm file is {size} bytes; expected at most {MaxFileBytes}");
        AssertBitIdentical(expected, loaded.Forward(images));
        var file = SafeTensors.Load(path);
        Assert.DoesNotContain(file, t => t.Key.EndsWith(".running_mean", StringComparison.Ordinal));
        Assert.DoesNotContain(file, t => t.Key.EndsWith(".weight", StringComparison.Ordinal) && t.Value.DType != DType.I8);
        Assert.Equal(DType.I8, file["features.1.conv.0.0.weight"].DType);
        Assert.Equal(DType.F32, file["features.1.conv.0.0.bias"].DType);
        Assert.Equal(DType.I32, file["features.3.skipAdd.zero_point"].DType);   // the first residual add
    }
}
