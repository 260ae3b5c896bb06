using System.Reflection;
using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;

namespace QuantGen.Bench;

/// <summary>
/// One layer of two builds timed call against call in one process, in turns (<see cref="Interleaved"/>):
/// <c>--compare-layer-builds &lt;dirA&gt; &lt;dirB&gt; pw K N side [pairs]</c> (a 1×1 convolution from K to N channels on a
/// side × side image, as MobileNetV2's expansions) or <c>… dw C side stride [pairs]</c> (a 3×3 depthwise convolution,
/// padding 1) or <c>… stem Cin side stride [pairs]</c> (a 3×3 convolution from Cin to 32 channels, padding 1, as
/// MobileNetV2's first layer), on <see cref="Batch"/> images a call (<c>--batch</c>: MNIST's layers are small images many at a time). Both builds make the same layer from the same random weights and bytes, ReLU6 onto the whole byte from a
/// zero point of 0 (the zero-based requantize of MobileNetV2's expansions and depthwise layers), on 64-byte-aligned
/// buffers; their outputs are compared first.
/// </summary>
/// <remarks>
/// Why: a whole pass resolves a change to one class of layers no better than the host's noise, and two processes
/// not at all. Two builds of the same code still differ by where their code and data land; to see that floor, compare
/// a build against itself copied, or against the change switched off.
/// </remarks>
internal static class LayerBuildComparison
{
    /// <summary>Images a call; a build from before the option exists takes only 1.</summary>
    public static int Batch { get; set; } = 1;

    public static void Run(string directoryA, string directoryB, string kind, int first, int second, int third, int pairs)
    {
        var (callA, outputA) = Load(directoryA, kind, first, second, third);
        var (callB, outputB) = Load(directoryB, kind, first, second, third);
        callA();
        callB();
        BuildComparison.ReportDifferences<byte>("Outputs", "bytes", outputA(), outputB());
        var (timesA, timesB, ratios) = Interleaved.Run(callA, callB, pairs);
        Console.WriteLine($"{kind} {first} {second} {third}, batch {Batch}, path {Int8KernelPaths.Current}, {pairs} pairs{(Interleaved.TurnMilliseconds > 0 ? $" of {Interleaved.TurnMilliseconds} ms turns" : "")}:");
        BuildComparison.ReportTimes(directoryA, directoryB, timesA, timesB, ratios);
    }

    /// <summary>The layer as the build in <paramref name="directory"/> makes it (its own <see cref="Make"/>).</summary>
    private static (Action Call, Func<byte[]> Output) Load(string directory, string kind, int first, int second, int third)
    {
        Assembly bench = BuildComparison.LoadBench(directory);
        MethodInfo make = bench.GetType(typeof(LayerBuildComparison).FullName!, throwOnError: true)!
            .GetMethod(nameof(Make), BindingFlags.NonPublic | BindingFlags.Static)!;
        object[] arguments = make.GetParameters().Length == 5 ? [kind, first, second, third, Batch]
            : Batch == 1 ? [kind, first, second, third]
            : throw new ArgumentException($"The build in {directory} predates --batch: it makes layers of one image only.", nameof(directory));
        return ((Action, Func<byte[]>))make.Invoke(null, arguments)!;
    }

    /// <summary>The layer and its buffers, in the calling build's QuantGen; the buffers live as long as the process.</summary>
    private static (Action Call, Func<byte[]> Output) Make(string kind, int first, int second, int third, int batch)
    {
        var random = new Random(17);
        var inputQ = new ActivationQParams(0.02f, 0);
        var outputQ = new ActivationQParams(0.02f, 0);   // ReLU6 reaches quantize(6) = 300: the whole byte
        var weightQ = WeightQParams.PerTensor(0.01f);
        ConvGeometry g = kind switch
        {
            // A 1×1 convolution from K = first to N = second channels on a third × third image.
            "pw" => new ConvGeometry(batch, first, third, third, second, 1, 1),
            // A 3×3 depthwise convolution of first channels on a second × second image, stride third, padding 1.
            "dw" => new ConvGeometry(batch, first, second, second, first, 3, 3, third, third, 1, 1, 1, 1, Groups: first),
            // A 3×3 convolution from first input channels to 32 on a second × second image, stride third, padding 1: a stem.
            "stem" => new ConvGeometry(batch, first, second, second, 32, 3, 3, third, third, 1, 1, 1, 1),
            _ => throw new ArgumentException($"Unknown layer kind '{kind}': 'pw K N side', 'dw C side stride' or 'stem Cin side stride'.", nameof(kind)),
        };
        var conv = new Int8Conv2d(g, Weights(random, g.WeightLength), weightQ, Bias(random, g.OutChannels), inputQ, outputQ, FusedActivation.ReLU6);
        int inputLength = g.InputLength, outputLength = g.OutputLength;
        byte[] input = CacheLines.Allocate<byte>(inputLength, out int inputAt), output = CacheLines.Allocate<byte>(outputLength, out int outputAt);
        for (int i = 0; i < inputLength; i++) input[inputAt + i] = (byte)random.Next(0, 128);
        return (() => conv.Forward(input.AsSpan(inputAt, inputLength), output.AsSpan(outputAt, outputLength)),
            () => output.AsSpan(outputAt, outputLength).ToArray());
    }

    private static sbyte[] Weights(Random random, int count)
    {
        var weights = new sbyte[count];
        for (int i = 0; i < count; i++) weights[i] = (sbyte)random.Next(-100, 101);
        return weights;
    }

    private static int[] Bias(Random random, int count)
    {
        var bias = new int[count];
        for (int i = 0; i < count; i++) bias[i] = random.Next(-2000, 2000);
        return bias;
    }
}
