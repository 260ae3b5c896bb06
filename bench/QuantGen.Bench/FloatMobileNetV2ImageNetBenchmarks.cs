using BenchmarkDotNet.Attributes;
using QuantGen.IO;
using QuantGen.Models;

namespace QuantGen.Bench;

/// <summary>
/// Float MobileNetV2 at ImageNet size (the <c>mobilenetv2-224</c> fixture, 3×224×224, 1000 classes): the generated
/// float pass against ONNX Runtime's float (<c>mnv2_224_float.onnx</c>, the same weights), one thread, batch 1, on the
/// fixture's first probe image. Set-up checks the generated logits against PyTorch's for that probe.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class FloatMobileNetV2ImageNetBenchmarks
{
    private const int Pixels = 3 * 224 * 224;

    private MobileNetV2ImageNet.Float generated = null!;
    private float[] image = null!;
    private readonly float[] logits = new float[MobileNetV2ImageNet.Classes];
    private OnnxPeer onnx = null!;

    [GlobalSetup]
    public void Setup()
    {
        var model = new MobileNetV2ImageNet();
        model.Network.LoadStateDict(SafeTensors.Load(SharedData.Fixture("mobilenetv2-224", "mnv2_224_float.safetensors")));
        model.Eval();
        generated = MobileNetV2ImageNet.Float.From(model);
        image = Floats("probe4.f32", Pixels);
        onnx = new OnnxPeer(SharedData.Fixture("mobilenetv2-224", "mnv2_224_float.onnx"), image, [1, 3, 224, 224], new float[logits.Length], [1, logits.Length]);

        generated.Forward(image, logits);
        float[] pytorch = Floats("probe4_float_logits.f32", logits.Length);
        float worst = 0, largest = 0;
        for (int i = 0; i < logits.Length; i++) (worst, largest) = (Math.Max(worst, Math.Abs(logits[i] - pytorch[i])), Math.Max(largest, Math.Abs(pytorch[i])));
        if (worst > 1e-4f * Math.Max(1f, largest)) throw new InvalidOperationException($"The generated float pass is {worst} from PyTorch's logits (largest {largest}).");
    }

    [GlobalCleanup]
    public void Cleanup() => onnx.Dispose();

    [Benchmark(Baseline = true, Description = "ORT float")]
    public void OnnxRuntimeFloat() => onnx.Run();

    [Benchmark(Description = "QuantGen float (generated)")]
    public void QuantGenGeneratedFloat() => generated.Forward(image, logits);

    /// <summary>The first <paramref name="count"/> float32 values of a fixture file.</summary>
    private static float[] Floats(string file, int count)
    {
        byte[] bytes = File.ReadAllBytes(SharedData.Fixture("mobilenetv2-224", file));
        var values = new float[count];
        Buffer.BlockCopy(bytes, 0, values, 0, count * sizeof(float));
        return values;
    }
}
