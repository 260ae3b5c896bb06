using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Quantization;

namespace QuantGen.Bench;

/// <summary>The benchmarks' int8 models: trained weights, calibrated on MNIST training images with <see cref="QConfig.Default"/>.</summary>
internal static class Int8Models
{
    public const int CalibrationImages = 512;

    public static MobileNetV2.Int8 MobileNetV2() => ConvertedMobileNetV2().Int8;

    /// <summary>The converted model (its eager int8 forward) and its generated pass.</summary>
    public static (MobileNetV2 Converted, MobileNetV2.Int8 Int8) ConvertedMobileNetV2()
    {
        var model = new MobileNetV2();
        model.LoadStateDict(SafeTensors.Load(SharedData.Fixture("mobilenetv2", "mnv2_float.safetensors")));
        MobileNetV2.Int8 int8 = model.Calibrate(CalibrationBatches(), QConfig.Default).Convert();
        return (model, int8);
    }

    /// <summary>The converted model (its eager int8 forward) and its generated pass.</summary>
    public static (SmallCnn Converted, SmallCnn.Int8 Int8) SmallCnn()
    {
        var model = new SmallCnn();
        model.LoadStateDict(SafeTensors.Load(SharedData.Fixture("pytorch", "small_cnn.safetensors")));
        SmallCnn.Int8 int8 = model.Calibrate(CalibrationBatches(), QConfig.Default).Convert();
        return (model, int8);
    }

    private static IEnumerable<Tensor> CalibrationBatches()
    {
        MnistSet train = MnistSet.LoadTrain(SharedData.MnistDirectory());
        for (int start = 0; start < CalibrationImages; start += 64) yield return train.ToTensor(start, 64);
    }
}
