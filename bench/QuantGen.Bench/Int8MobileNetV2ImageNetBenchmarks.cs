using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using QuantGen.IO;
using QuantGen.Models;

namespace QuantGen.Bench;

/// <summary>
/// Int8 MobileNetV2 at ImageNet size (3×224×224, 1000 classes, the <c>mobilenetv2-224</c> fixture), one thread,
/// batch 1 and 8: QuantGen's generated <c>MobileNetV2ImageNet.Int8</c> against ONNX Runtime's int8
/// (<c>mnv2_224_int8_qdq.onnx</c>, PyTorch's static PTQ with the default qconfig) and ORT's float. ORT int8 is the
/// baseline of the Ratio column. The images are the first of the fixture's calibration images.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class Int8MobileNetV2ImageNetBenchmarks
{
    /// <summary>Calibrated once per process (32 float passes at 224×224), not once per benchmark case.</summary>
    private static readonly Lazy<MobileNetV2ImageNet.Int8> Model = new(() =>
    {
        MobileNetV2ImageNet.Int8 model = Int8Models.MobileNetV2ImageNet();
        Console.WriteLine($"// 224 probes against PyTorch's int8 logits: {Int8Models.ImageNetProbeSteps(model)} output steps at most (the fixture README's bar: 6, same argmax).");
        return model;
    });

    private MobileNetV2ImageNet.Int8 int8 = null!;
    private float[] images = null!;
    private float[] logits = null!;
    private OnnxPeer onnxInt8 = null!;
    private OnnxPeer onnxFloat = null!;

    [Params(1, 8)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        int8 = Model.Value;
        images = Int8Models.ImageNetImages("calib32.f32").AsSpan(0, Batch * Int8Models.ImageNetImage).ToArray();
        logits = new float[Batch * MobileNetV2ImageNet.Classes];
        onnxInt8 = Peer("mnv2_224_int8_qdq.onnx");
        onnxFloat = Peer("mnv2_224_float.onnx");
    }

    private OnnxPeer Peer(string file) =>
        new(SharedData.Fixture("mobilenetv2-224", file), images, [Batch, 3, 224, 224], new float[Batch * MobileNetV2ImageNet.Classes], [Batch, MobileNetV2ImageNet.Classes]);

    [GlobalCleanup]
    public void Cleanup()
    {
        onnxInt8.Dispose();
        onnxFloat.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ORT int8")]
    public void OnnxRuntimeInt8() => onnxInt8.Run();

    [Benchmark(Description = "ORT float")]
    public void OnnxRuntimeFloat() => onnxFloat.Run();

    [Benchmark(Description = "QuantGen int8 (generated)")]
    public void QuantGenInt8() => int8.Forward(images, logits, Batch);
}
