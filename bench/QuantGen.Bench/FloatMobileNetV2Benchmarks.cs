using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using QuantGen.IO;
using QuantGen.Models;

namespace QuantGen.Bench;

/// <summary>
/// Float MobileNetV2 on MNIST images: QuantGen's eager float runtime and its generated float pass against ONNX
/// Runtime's float (<c>mnv2_float.onnx</c>, the same weights), one thread, batch 1 and 64. ORT is the baseline, so the
/// Ratio column is QuantGen's time over ORT's.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class FloatMobileNetV2Benchmarks
{
    private MobileNetV2 model = null!;
    private MobileNetV2 fused = null!;
    private MobileNetV2.Float generated = null!;
    private float[] logits = null!;
    private Tensor images = null!;
    private OnnxPeer onnx = null!;

    [Params(1, 64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        model = new MobileNetV2();
        model.LoadStateDict(SafeTensors.Load(SharedData.Fixture("mobilenetv2", "mnv2_float.safetensors")));
        model.Eval();
        fused = new MobileNetV2();
        fused.LoadStateDict(SafeTensors.Load(SharedData.Fixture("mobilenetv2", "mnv2_float.safetensors")));
        fused.Eval();
        fused.FuseModel();
        images = MnistSet.LoadTest(SharedData.MnistDirectory()).ToTensor(0, Batch);
        generated = MobileNetV2.Float.From(model);
        logits = new float[Batch * MobileNetV2.OutputLength];
        onnx = new OnnxPeer(
            SharedData.Fixture("mobilenetv2", "mnv2_float.onnx"),
            images.Data, [Batch, 1, 28, 28], new float[Batch * 10], [Batch, 10]);
    }

    [GlobalCleanup]
    public void Cleanup() => onnx.Dispose();

    [Benchmark(Baseline = true, Description = "ORT float")]
    public void OnnxRuntimeFloat() => onnx.Run();

    [Benchmark(Description = "QuantGen float (eager)")]
    public Tensor QuantGenFloat() => model.Forward(images);

    /// <summary>After <c>FuseModel()</c>: BatchNorms folded into the convolutions and ReLUs into their outputs, as ORT folds them.</summary>
    [Benchmark(Description = "QuantGen float (eager, fused)")]
    public Tensor QuantGenFusedFloat() => fused.Forward(images);

    /// <summary>The generated float pass: [Fuse]'s BatchNorms folded into copies of the weights, one arena, nothing allocated.</summary>
    [Benchmark(Description = "QuantGen float (generated)")]
    public void QuantGenGeneratedFloat() => generated.Forward(images.Data, logits, Batch);
}
