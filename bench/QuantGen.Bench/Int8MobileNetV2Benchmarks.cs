using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Quantization;

namespace QuantGen.Bench;

/// <summary>
/// Int8 MobileNetV2 on MNIST images, one thread, batch 1 and 64: QuantGen's generated <c>MobileNetV2.Int8</c>
/// against ONNX Runtime's int8 (<c>mnv2_int8_qdq.onnx</c>, PyTorch's static PTQ with the default qconfig, which
/// <see cref="QConfig.Default"/> mirrors) and ORT's float as a peer. ORT int8 is the baseline of the Ratio column.
/// One more row runs the generated pass with <c>MaxThreads = 2</c>: batch 64 split over two cores (at batch 1 it is
/// the one-thread path), so the two-core figure shows beside the one-thread one.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class Int8MobileNetV2Benchmarks
{
    private MobileNetV2.Int8 int8 = null!;
    private MobileNetV2.Int8 int8TwoThreads = null!;
    private float[] images = null!;
    private float[] logits = null!;
    private OnnxPeer onnxInt8 = null!;
    private OnnxPeer onnxFloat = null!;

    [Params(1, 64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        int8 = Int8Models.MobileNetV2();
        int8TwoThreads = int8.Fork();
        int8TwoThreads.MaxThreads = 2;
        images = MnistSet.LoadTest(SharedData.MnistDirectory()).ToTensor(0, Batch).Data;
        logits = new float[Batch * MobileNetV2.OutputLength];
        onnxInt8 = Peer("mnv2_int8_qdq.onnx");
        onnxFloat = Peer("mnv2_float.onnx");
    }

    private OnnxPeer Peer(string file) =>
        new(SharedData.Fixture("mobilenetv2", file), images, [Batch, 1, 28, 28], new float[Batch * 10], [Batch, 10]);

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

    [Benchmark(Description = "QuantGen int8 (generated, MaxThreads = 2)")]
    public void QuantGenInt8TwoThreads() => int8TwoThreads.Forward(images, logits, Batch);
}
