using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Bench;

/// <summary>
/// The converted model run eagerly — as <c>Convert</c> leaves it for PyTorch's workflow without the generator — on
/// the reference kernels (the definition; the baseline) and on the SIMD kernels it runs by default, beside the
/// generated pass built from the same model: the small CNN and MobileNetV2 on MNIST, one thread, batch 1 and 64.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class EagerInt8Benchmarks
{
    private Module eager = null!;
    private Action<float[], float[], int> generated = null!;
    private Tensor images = null!;
    private float[] logits = null!;

    [Params("SmallCnn", "MobileNetV2")]
    public string Model { get; set; } = "";

    [Params(1, 64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Model == "SmallCnn")
        {
            (SmallCnn model, SmallCnn.Int8 int8) = Int8Models.SmallCnn();
            eager = model;
            generated = (x, y, n) => int8.Forward(x, y, n);
        }
        else
        {
            (MobileNetV2 model, MobileNetV2.Int8 int8) = Int8Models.ConvertedMobileNetV2();
            eager = model;
            generated = (x, y, n) => int8.Forward(x, y, n);
        }
        images = MnistSet.LoadTest(SharedData.MnistDirectory()).ToTensor(0, Batch);
        logits = new float[Batch * 10];
    }

    [Benchmark(Baseline = true, Description = "eager int8, reference kernels")]
    public Tensor EagerReference()
    {
        EagerKernels.Reference = true;
        try
        {
            return eager.Forward(images);
        }
        finally
        {
            EagerKernels.Reference = false;
        }
    }

    [Benchmark(Description = "eager int8, SIMD kernels")]
    public Tensor Eager() => eager.Forward(images);

    [Benchmark(Description = "generated int8")]
    public void Generated() => generated(images.Data, logits, Batch);
}
