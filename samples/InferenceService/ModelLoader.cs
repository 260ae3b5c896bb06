using System.Diagnostics;
using QuantGen;
using QuantGen.IO;
using QuantGen.IO.Qgm;
using QuantGen.Models;
using QuantGen.Quantization;

namespace InferenceService;

/// <summary>
/// Builds the served <see cref="DigitClassifier"/> once, at start: from a .qgm file when one is configured, otherwise by
/// calibrating PyTorch's float MobileNetV2 (the fixture <c>mnv2_float.safetensors</c>) on MNIST training images, as the
/// main job does (<c>QConfig.Default</c>, MinMax per tensor).
/// </summary>
public static class ModelLoader
{
    public static DigitClassifier Load(ModelOptions options, ILogger logger)
    {
        var clock = Stopwatch.StartNew();
        var (model, source) = options.Qgm is { Length: > 0 } qgm ? FromQgm(qgm) : Calibrated(options);
        var int8 = MobileNetV2.Int8.From(model);
        // A worker for as many requests as the thread pool runs at once without growing: no request pays for a fork.
        int8.Reserve(Environment.ProcessorCount);
        var summary = ModelSummary.Of(model, source, [.. MobileNetV2.Shapes.Input], MobileNetV2.OutputLength);
        logger.LogInformation("MobileNetV2 int8 ready in {Seconds:F1} s: {Source}; {Layers} int8 layers, {Bytes:N0} bytes of int8 weights",
            clock.Elapsed.TotalSeconds, source, summary.Layers.Length, summary.Int8WeightBytes);
        return new DigitClassifier(int8, summary);
    }

    private static (MobileNetV2, string) FromQgm(string path) => (QgmFile.Load(new MobileNetV2(), path), $"loaded from {Path.GetFullPath(path)}");

    private static (MobileNetV2, string) Calibrated(ModelOptions options)
    {
        if (options.CalibrationImages < 1)
        {
            throw new InvalidOperationException($"Model:CalibrationImages is {options.CalibrationImages}; expected at least 1 (the main job uses 2048).");
        }
        string shared = SharedData.Locate(options.Shared);
        string weights = Path.Combine(shared, "fixtures", "mobilenetv2", "mnv2_float.safetensors");
        var model = new MobileNetV2();
        model.LoadStateDict(SafeTensors.Load(weights));
        var train = MnistSet.LoadTrain(Path.Combine(shared, "data", "mnist"));
        int images = Math.Min(options.CalibrationImages, train.Count);
        model.Calibrate(Batches(train, images), QConfig.Default);
        EagerQuantization.Convert(model);
        if (options.SaveQgm is { Length: > 0 } save) QgmFile.Save(model, save);
        return (model, $"calibrated from {weights} on the first {images} MNIST training images (QConfig.Default)");
    }

    private static IEnumerable<Tensor> Batches(MnistSet train, int images)
    {
        for (int start = 0; start < images; start += 64) yield return train.ToTensor(start, Math.Min(64, images - start));
    }
}
