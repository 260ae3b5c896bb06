using BenchmarkDotNet.Attributes;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;

namespace QuantGen.Bench;

/// <summary>
/// FloatFunctional's hot int8 ops at a MobileNetV3-sized activation, one thread: the squeeze-excite gate (72 channels
/// of 28×28 pixels times one gate value per channel) on the reference kernel (eager int8) and on each Int8Mul path the
/// generated pass can take, and a channel Cat of two 32-channel 28×28 tensors, one requantized, reference vs Int8Cat.
/// </summary>
[MemoryDiagnoser]
public class FloatFunctionalBenchmarks
{
    private const int Channels = 72, Pixels = 28 * 28, CatChannels = 32;
    private static readonly ActivationQParams XQ = new(0.05f, 20), GateQ = new(1f / 256, 0), OutputQ = new(0.04f, 10);

    private readonly byte[] x = new byte[Channels * Pixels], gate = new byte[Channels], output = new byte[Channels * Pixels];
    private readonly byte[] a = new byte[CatChannels * Pixels], b = new byte[CatChannels * Pixels], joined = new byte[2 * CatChannels * Pixels];
    private Int8Mul scalar = null!, avx2 = null!, avx512 = null!;
    private Int8Cat cat = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(14);
        random.NextBytes(x);
        random.NextBytes(gate);
        random.NextBytes(a);
        random.NextBytes(b);
        scalar = Built(Int8KernelPath.Scalar);
        avx2 = Built(Int8KernelPath.Avx2);
        avx512 = Built(Int8KernelPath.Avx512BW);
        cat = new Int8Cat([CatChannels, CatChannels], [OutputQ, XQ], OutputQ);
    }

    private static Int8Mul Built(Int8KernelPath path) => OnPath.Built(path, () => new Int8Mul(XQ, GateQ, OutputQ));

    [Benchmark(Baseline = true)]
    public void GateReference() => QMul.Forward(x, new Shape(1, Channels, 28, 28), XQ, gate, new Shape(1, Channels, 1, 1), GateQ, OutputQ, new Shape(1, Channels, 28, 28), output);

    [Benchmark]
    public void GateScalar() => scalar.ForwardGate(x, gate, 1, Channels, output);

    [Benchmark]
    public void GateAvx2() => avx2.ForwardGate(x, gate, 1, Channels, output);

    [Benchmark]
    public void GateAvx512() => avx512.ForwardGate(x, gate, 1, Channels, output);

    [Benchmark]
    public void CatReference() => QCat.Forward([a, b], [new Shape(1, CatChannels, 28, 28), new Shape(1, CatChannels, 28, 28)], [OutputQ, XQ], 1, OutputQ, joined);

    [Benchmark]
    public void CatInt8() => cat.Forward(a, b, Pixels, joined);
}
