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

    /// <summary>
    /// The ImageNet-size fixture (<c>mobilenetv2-224</c>): its float weights, calibrated as its README says PyTorch's
    /// int8 model was (<see cref="QConfig.Default"/> on <c>calib32.f32</c>, in batches of 8), and converted.
    /// </summary>
    public static MobileNetV2ImageNet.Int8 MobileNetV2ImageNet()
    {
        var model = new MobileNetV2ImageNet();
        model.Network.LoadStateDict(SafeTensors.Load(SharedData.Fixture("mobilenetv2-224", "mnv2_224_float.safetensors")));
        return CalibrateImageNet(model);
    }

    /// <summary>Calibrates and converts the 224 model as the fixture's PyTorch int8 model was.</summary>
    public static MobileNetV2ImageNet.Int8 CalibrateImageNet(MobileNetV2ImageNet model)
    {
        float[] calibration = ImageNetImages("calib32.f32");
        IEnumerable<Tensor> Batches()
        {
            for (int start = 0; start < 32; start += 8)
            {
                yield return Tensor.FromArray(calibration.AsSpan(start * ImageNetImage, 8 * ImageNetImage).ToArray(), 8, 3, 224, 224);
            }
        }
        return model.Calibrate(Batches(), QConfig.Default).Convert();
    }

    /// <summary>
    /// How far the model's logits for the fixture's four probes are from PyTorch's int8 logits, in output steps (the
    /// classifier's scale, <c>meta.json</c>); throws if an argmax differs, since then the timings would be of a wrong model.
    /// </summary>
    public static int ImageNetProbeSteps(MobileNetV2ImageNet.Int8 model)
    {
        const float OutputScale = 0.0085169f;
        float[] probes = ImageNetImages("probe4.f32"), expected = ImageNetImages("probe4_int8_logits.f32");
        var logits = new float[expected.Length];
        model.Forward(probes, logits, 4);
        int steps = 0;
        for (int i = 0; i < 4; i++)
        {
            var actual = logits.AsSpan(i * 1000, 1000);
            var reference = expected.AsSpan(i * 1000, 1000);
            if (ArgMax(actual) != ArgMax(reference)) throw new InvalidOperationException($"224 probe {i}: argmax {ArgMax(actual)}, PyTorch's {ArgMax(reference)}.");
            for (int c = 0; c < 1000; c++) steps = Math.Max(steps, (int)MathF.Round(MathF.Abs(actual[c] - reference[c]) / OutputScale));
        }
        return steps;
    }

    /// <summary>The index of the largest logit.</summary>
    public static int ArgMax(ReadOnlySpan<float> values) => values.IndexOf(System.Numerics.Tensors.TensorPrimitives.Max(values));

    /// <summary>Floats in one 3×224×224 image.</summary>
    public const int ImageNetImage = 3 * 224 * 224;

    /// <summary>
    /// The first <paramref name="batch"/> images the in-process comparisons run, and their models' logits per image:
    /// <c>calib32.f32</c>'s at 224 (<paramref name="size"/>), MNIST's test images at 28.
    /// </summary>
    public static (float[] Images, int Classes) Images(int size, int batch) => size == 224
        ? (ImageNetImages("calib32.f32").AsSpan(0, batch * ImageNetImage).ToArray(), global::QuantGen.Models.MobileNetV2ImageNet.Classes)
        : (MnistSet.LoadTest(SharedData.MnistDirectory()).ToTensor(0, batch).Data.ToArray(), 10);

    /// <summary>
    /// The generated int8 pass of the model at <paramref name="size"/> (224, or 28 for MNIST), built as its benchmarks
    /// build it, as one call over <paramref name="images"/> into <paramref name="logits"/>.
    /// </summary>
    public static Action GeneratedPass(int size, float[] images, float[] logits, int batch)
    {
        if (size == 224)
        {
            global::QuantGen.Models.MobileNetV2ImageNet.Int8 imageNet = MobileNetV2ImageNet();
            return () => imageNet.Forward(images, logits, batch);
        }
        global::QuantGen.Models.MobileNetV2.Int8 mnist = MobileNetV2();
        return () => mnist.Forward(images, logits, batch);
    }

    /// <summary>
    /// <see cref="GeneratedPass"/> one image at a time: a call with the image's index runs the pass on that image of
    /// <paramref name="images"/> alone, into its logits.
    /// </summary>
    public static Action<int> GeneratedSample(int size, float[] images, float[] logits)
    {
        if (size == 224)
        {
            global::QuantGen.Models.MobileNetV2ImageNet.Int8 imageNet = MobileNetV2ImageNet();
            const int Classes = global::QuantGen.Models.MobileNetV2ImageNet.Classes;
            return i => imageNet.Forward(images.AsSpan(i * ImageNetImage, ImageNetImage), logits.AsSpan(i * Classes, Classes), 1);
        }
        global::QuantGen.Models.MobileNetV2.Int8 mnist = MobileNetV2();
        return i => mnist.Forward(images.AsSpan(i * 784, 784), logits.AsSpan(i * 10, 10), 1);
    }

    /// <summary>ONNX Runtime's int8 model of the fixture at <paramref name="size"/> (224, or 28 for MNIST), and its input shape.</summary>
    public static (string Path, long[] InputShape) OrtInt8(int size, int batch) => size == 224
        ? (SharedData.Fixture("mobilenetv2-224", "mnv2_224_int8_qdq.onnx"), [batch, 3, 224, 224])
        : (SharedData.Fixture("mobilenetv2", "mnv2_int8_qdq.onnx"), [batch, 1, 28, 28]);

    /// <summary>A float32 file of the 224 fixture (<c>calib32.f32</c>, <c>probe4.f32</c>): raw little-endian floats.</summary>
    public static float[] ImageNetImages(string file) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(SharedData.Fixture("mobilenetv2-224", file))).ToArray();

    private static IEnumerable<Tensor> CalibrationBatches()
    {
        MnistSet train = MnistSet.LoadTrain(SharedData.MnistDirectory());
        for (int start = 0; start < CalibrationImages; start += 64) yield return train.ToTensor(start, 64);
    }
}
