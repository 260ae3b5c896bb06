using System.Reflection;
using System.Runtime.InteropServices;
using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;

namespace QuantGen.Bench;

/// <summary>
/// One layer of two builds timed call against call in one process, in turns (<see cref="Interleaved"/>):
/// <c>--compare-layer-builds &lt;dirA&gt; &lt;dirB&gt; pw K N side [pairs]</c> (a 1×1 convolution from K to N channels on a
/// side × side image, as MobileNetV2's expansions) or <c>… dw C side stride [pairs]</c> (a 3×3 depthwise convolution,
/// padding 1). Both builds make the same layer from the same random weights and bytes, ReLU6 onto the whole byte from a
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
    public static void Run(string directoryA, string directoryB, string kind, int first, int second, int third, int pairs)
    {
        var (callA, outputA) = Load(directoryA, kind, first, second, third);
        var (callB, outputB) = Load(directoryB, kind, first, second, third);
        callA();
        callB();
        byte[] a = outputA(), b = outputB();
        int differing = 0;
        for (int i = 0; i < a.Length; i++) differing += a[i] == b[i] ? 0 : 1;
        Console.WriteLine(differing == 0 ? $"Outputs: bit-equal ({a.Length} bytes)." : $"Outputs: {differing} of {a.Length} bytes differ between the builds.");
        var (timesA, timesB, ratios) = Interleaved.Run(callA, callB, pairs);
        Console.WriteLine($"{kind} {first} {second} {third}, path {Int8KernelPaths.Current}, {pairs} pairs{(Interleaved.TurnMilliseconds > 0 ? $" of {Interleaved.TurnMilliseconds} ms turns" : "")}:");
        Console.WriteLine($"  A {directoryA}: median {Interleaved.Median(timesA) * 1e6:F1} µs");
        Console.WriteLine($"  B {directoryB}: median {Interleaved.Median(timesB) * 1e6:F1} µs");
        Console.WriteLine($"  B / A: median of the pairs' ratios {Interleaved.Summary(ratios)}");
    }

    /// <summary>The layer as the build in <paramref name="directory"/> makes it (its own <see cref="Make"/>).</summary>
    private static (Action Call, Func<byte[]> Output) Load(string directory, string kind, int first, int second, int third)
    {
        Assembly bench = BuildComparison.LoadBench(directory);
        MethodInfo make = bench.GetType(typeof(LayerBuildComparison).FullName!, throwOnError: true)!
            .GetMethod(nameof(Make), BindingFlags.NonPublic | BindingFlags.Static)!;
        return ((Action, Func<byte[]>))make.Invoke(null, [kind, first, second, third])!;
    }

    /// <summary>The layer and its buffers, in the calling build's QuantGen; the buffers live as long as the process.</summary>
    private static (Action Call, Func<byte[]> Output) Make(string kind, int first, int second, int third)
    {
        var random = new Random(17);
        var inputQ = new ActivationQParams(0.02f, 0);
        var outputQ = new ActivationQParams(0.02f, 0);   // ReLU6 reaches quantize(6) = 300: the whole byte
        var weightQ = WeightQParams.PerTensor(0.01f);
        int inputLength, outputLength;
        Func<byte[], byte[], Action> layer;
        switch (kind)
        {
            case "pw":
            {
                int k = first, n = second, rows = third * third;
                var g = new ConvGeometry(1, k, third, third, n, 1, 1);
                var conv = new Int8Conv2d(g, Weights(random, n * k), weightQ, Bias(random, n), inputQ, outputQ, FusedActivation.ReLU6);
                (inputLength, outputLength) = (rows * k, rows * n);
                layer = (x, y) => () => conv.Forward(Aligned(x, inputLength), Aligned(y, outputLength));
                break;
            }
            case "dw":
            {
                int c = first, side = second, stride = third;
                var g = new ConvGeometry(1, c, side, side, c, 3, 3, stride, stride, 1, 1, 1, 1, c);
                var conv = new Int8Conv2d(g, Weights(random, c * 9), weightQ, Bias(random, c), inputQ, outputQ, FusedActivation.ReLU6);
                (inputLength, outputLength) = (side * side * c, g.OutHeight * g.OutWidth * c);
                layer = (x, y) => () => conv.Forward(Aligned(x, inputLength), Aligned(y, outputLength));
                break;
            }
            default:
                throw new ArgumentException($"Unknown layer kind '{kind}': 'pw K N side' or 'dw C side stride'.", nameof(kind));
        }
        byte[] input = GC.AllocateArray<byte>(inputLength + 63, pinned: true), output = GC.AllocateArray<byte>(outputLength + 63, pinned: true);
        Span<byte> x = Aligned(input, inputLength);
        for (int i = 0; i < inputLength; i++) x[i] = (byte)random.Next(0, 128);
        int length = outputLength;
        return (layer(input, output), () => Aligned(output, length).ToArray());
    }

    /// <summary>The first <paramref name="length"/> bytes of a pinned <paramref name="array"/> from its first 64-byte boundary on.</summary>
    private static Span<byte> Aligned(byte[] array, int length)
    {
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        return array.AsSpan((int)((64 - address % 64) % 64), length);
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
