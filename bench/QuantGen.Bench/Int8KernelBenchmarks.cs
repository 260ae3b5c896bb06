using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;

namespace QuantGen.Bench;

/// <summary>
/// The int8 kernels on MobileNetV2's heaviest shapes, one thread, each path this machine has. The GMAC/s column is
/// multiply-accumulates over the median time; compare it with the core's peak (one 256-bit <c>VPDPBUSD</c> is 32 MACs,
/// two a cycle on Sapphire Rapids: 64 MACs a cycle, ≈ 200 G MAC/s at 3 GHz).
/// </summary>
[Config(typeof(Config))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class Int8KernelBenchmarks
{
    private Int8Conv2d layer = null!;
    private byte[] input = null!;
    private byte[] output = null!;

    public static IEnumerable<Int8KernelPath> Paths => Enum.GetValues<Int8KernelPath>().Where(Int8KernelPaths.IsSupported);

    [ParamsSource(nameof(Paths))]
    public Int8KernelPath Path { get; set; }

    /// <summary>pw M×K→N (M pixels), or dw C@H×W stride s.</summary>
    [Params("pw 196x96->576", "pw 49x160->960", "pw 196x16->96", "pw 4x96->576", "pw 1x320->1280", "dw 576@14x14 s1", "dw 576@14x14 s2", "stem 1->32 @28x28 s2")]
    public string Shape { get; set; } = "";

    public static ConvGeometry Geometry(string shape) => shape switch
    {
        "pw 196x96->576" => new(1, 96, 14, 14, 576, 1, 1),
        "pw 49x160->960" => new(1, 160, 7, 7, 960, 1, 1),
        // MobileNetV2 on 28×28 MNIST at batch 1: the small-K expansion, the 2×2 expansion and the classifier's 1×1 GEMV.
        "pw 196x16->96" => new(1, 16, 14, 14, 96, 1, 1),
        "pw 4x96->576" => new(1, 96, 2, 2, 576, 1, 1),
        "pw 1x320->1280" => new(1, 320, 1, 1, 1280, 1, 1),
        "dw 576@14x14 s1" => new(1, 576, 14, 14, 576, 3, 3, 1, 1, 1, 1, Groups: 576),
        "dw 576@14x14 s2" => new(1, 576, 14, 14, 576, 3, 3, 2, 2, 1, 1, Groups: 576),
        "stem 1->32 @28x28 s2" => new(1, 1, 28, 28, 32, 3, 3, 2, 2, 1, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    [GlobalSetup]
    public void Setup()
    {
        ConvGeometry g = Geometry(Shape);
        var random = new Random(7);
        var weight = new sbyte[g.WeightLength];
        random.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(weight.AsSpan()));
        input = new byte[g.InputLength];
        random.NextBytes(input);
        output = new byte[g.OutputLength];
        layer = OnPath.Built(Path, () => new Int8Conv2d(g, weight, WeightQParams.PerTensor(0.01f), new int[g.OutChannels],
            new ActivationQParams(0.02f, 128), new ActivationQParams(0.5f, 128), FusedActivation.ReLU6));
    }

    [Benchmark]
    public void Forward() => layer.Forward(input, output);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(new GigaMacsColumn(c => Geometry((string)c.Parameters["Shape"]).MacCount));
        }
    }
}
