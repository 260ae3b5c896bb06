using BenchmarkDotNet.Attributes;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;

namespace QuantGen.Bench;

/// <summary>
/// A table activation (Hardswish's table) over one MobileNetV3-sized activation, 16×112×112 bytes, one thread: the
/// reference loop against the AVX-512 VBMI path the generated pass takes.
/// </summary>
[MemoryDiagnoser]
public class LookupBenchmarks
{
    private readonly byte[] input = new byte[16 * 112 * 112];
    private readonly byte[] output = new byte[16 * 112 * 112];
    private byte[] table = null!;
    private Int8Lookup kernel = null!;

    [GlobalSetup]
    public void Setup()
    {
        new Random(14).NextBytes(input);
        table = QLookup.Hardswish(new ActivationQParams(0.05f, 128), new ActivationQParams(0.04f, 100));
        kernel = new Int8Lookup(table);
    }

    [Benchmark(Baseline = true)]
    public void Reference() => QLookup.Apply(input, table, output);

    [Benchmark]
    public void Vbmi() => kernel.ForwardVbmi(input, output);
}
