using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using QuantGen.IO;
using QuantGen.Models;

namespace QuantGen.Bench;

/// <summary>
/// The fixture's small CNN in int8, one thread, batch 1 and 64: the generated <c>SmallCnn.Int8</c> (fast NHWC
/// kernels) against the same converted model run eagerly (the scalar reference kernels). There is no ONNX file of
/// this model, so eager int8 is the baseline.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class Int8SmallCnnBenchmarks
{
    private SmallCnn eager = null!;
    private SmallCnn.Int8 int8 = null!;
    private Tensor images = null!;
    private float[] logits = null!;

    [Params(1, 64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (eager, int8) = Int8Models.SmallCnn();
        images = MnistSet.LoadTest(SharedData.MnistDirectory()).ToTensor(0, Batch);
        logits = new float[Batch * SmallCnn.OutputLength];
    }

    [Benchmark(Baseline = true, Description = "QuantGen int8 (eager, reference kernels)")]
    public Tensor Eager() => eager.Forward(images);

    [Benchmark(Description = "QuantGen int8 (generated)")]
    public void Generated() => int8.Forward(images.Data, logits, Batch);
}
