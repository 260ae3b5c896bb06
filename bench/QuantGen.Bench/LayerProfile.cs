using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using QuantGen.IO;
using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Bench;

/// <summary>
/// <c>--layers [batch]</c>: each convolution of the converted MobileNetV2 on its own <see cref="Int8Conv2d"/>
/// (the kernel the generated pass runs), timed with a Stopwatch (median of 15 repeats of ≥ 2 ms each), with its MACs
/// and its share of this core's measured int8 peak (a register-only <c>VPDPBUSD</c> loop). A diagnostic beside the
/// BenchmarkDotNet runs, not one of them: it prints a markdown table for RESULTS.md.
/// </summary>
internal static class LayerProfile
{
    public static void Run(int batch)
    {
        double peak = PeakGigaMacs();
        var model = new MobileNetV2();
        model.LoadStateDict(SafeTensors.Load(SharedData.Fixture("mobilenetv2", "mnv2_float.safetensors")));
        model.Calibrate(CalibrationBatches(), QConfig.Default).Convert();

        Console.WriteLine($"Measured int8 peak: {peak:F1} G MAC/s (256-bit VPDPBUSD, 12 independent accumulators). Batch {batch}.");
        Console.WriteLine();
        Console.WriteLine("| layer | kind | shape (in → out) | MACs | median | G MAC/s | % of peak |");
        Console.WriteLine("|---|---|---|---:|---:|---:|---:|");
        int height = 28, width = 28;
        double total = 0;
        long macs = 0;
        foreach (var (path, module) in model.NamedModules())
        {
            if (module is not Conv2d { Substitute: QuantizedConv2d q } conv) continue;
            var g = new ConvGeometry(batch, conv.InChannels, height, width, conv.OutChannels, conv.KernelSize.Height, conv.KernelSize.Width,
                conv.Stride.Height, conv.Stride.Width, conv.Padding.Height, conv.Padding.Width, Groups: conv.Groups);
            var layer = new Int8Conv2d(g, q.Weight, q.WeightQParams, [], new ActivationQParams(0.05f, 0), q.Output, conv.Activation);
            byte[] input = new byte[g.InputLength], output = new byte[g.OutputLength];
            new Random(1).NextBytes(input);
            double seconds = Median(() => layer.Forward(input, output));
            string kind = layer.Algorithm switch
            {
                Int8ConvAlgorithm.Depthwise => $"dw {g.KernelHeight}×{g.KernelWidth} s{g.StrideHeight}",
                Int8ConvAlgorithm.Pointwise => "pw",
                Int8ConvAlgorithm.Direct => $"direct {g.KernelHeight}×{g.KernelWidth} s{g.StrideHeight}",
                _ => $"im2col {g.KernelHeight}×{g.KernelWidth} s{g.StrideHeight}",
            };
            double gmacs = g.MacCount / seconds / 1e9;
            Console.WriteLine($"| {path} | {kind} | {g.InChannels}@{height}×{width} → {g.OutChannels}@{g.OutHeight}×{g.OutWidth} | {g.MacCount:N0} | {seconds * 1e6:F1} µs | {gmacs:F1} | {100 * gmacs / peak:F0}% |");
            total += seconds;
            macs += g.MacCount;
            (height, width) = (g.OutHeight, g.OutWidth);
        }
        Console.WriteLine($"| all convolutions | | | {macs:N0} | {total * 1e6:F1} µs | {macs / total / 1e9:F1} | {100 * macs / total / 1e9 / peak:F0}% |");

        MobileNetV2.Int8 int8 = MobileNetV2.Int8.From(model);
        float[] images = MnistSet.LoadTest(SharedData.MnistDirectory()).ToTensor(0, batch).Data;
        var logits = new float[batch * 10];
        double whole = Median(() => int8.Forward(images, logits, batch));
        Console.WriteLine();
        Console.WriteLine($"Generated MobileNetV2.Int8.Forward, batch {batch}: {whole * 1e6:F1} µs ({macs / whole / 1e9:F1} G MAC/s, the convolutions' MACs).");
        using var onnx = new OnnxPeer(SharedData.Fixture("mobilenetv2", "mnv2_int8_qdq.onnx"), images, [batch, 1, 28, 28], new float[batch * 10], [batch, 10]);
        Console.WriteLine($"ONNX Runtime int8 (mnv2_int8_qdq.onnx), batch {batch}: {Median(onnx.Run) * 1e6:F1} µs.");
    }

    private static IEnumerable<Tensor> CalibrationBatches()
    {
        MnistSet train = MnistSet.LoadTrain(SharedData.MnistDirectory());
        for (int start = 0; start < Int8Models.CalibrationImages; start += 64) yield return train.ToTensor(start, 64);
    }

    private static double Median(Action action)
    {
        // Past tiered JIT: run for 300 ms (the kernels reach tier 1 after 30 calls and a background compile).
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalMilliseconds < 300) action();
        watch.Restart();
        int calls = 0;
        while (watch.Elapsed.TotalMilliseconds < 2) { action(); calls++; }
        var times = new double[15];
        for (int r = 0; r < times.Length; r++)
        {
            watch.Restart();
            for (int i = 0; i < calls; i++) action();
            times[r] = watch.Elapsed.TotalSeconds / calls;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }

    /// <summary>32 MACs per 256-bit <c>VPDPBUSD</c>, with enough independent chains to hide its latency.</summary>
    private static double PeakGigaMacs()
    {
        if (!AvxVnni.IsSupported) return double.NaN;
        const int iterations = 2_000_000;
        double best = 0;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var watch = Stopwatch.StartNew();
            Vector256<int> sum = VnniLoop(iterations);
            double seconds = watch.Elapsed.TotalSeconds;
            if (sum[0] == 42) Console.Write("");
            best = Math.Max(best, iterations * 12.0 * 32 / seconds / 1e9);
        }
        return best;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static Vector256<int> VnniLoop(int iterations)
    {
        Vector256<byte> x = Vector256.Create((byte)3);
        Vector256<sbyte> w = Vector256.Create((sbyte)-2);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<int> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int i = 0; i < iterations; i++)
        {
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, w); a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, w);
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, w); a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, w);
            a4 = AvxVnni.MultiplyWideningAndAdd(a4, x, w); a5 = AvxVnni.MultiplyWideningAndAdd(a5, x, w);
            a6 = AvxVnni.MultiplyWideningAndAdd(a6, x, w); a7 = AvxVnni.MultiplyWideningAndAdd(a7, x, w);
            a8 = AvxVnni.MultiplyWideningAndAdd(a8, x, w); a9 = AvxVnni.MultiplyWideningAndAdd(a9, x, w);
            a10 = AvxVnni.MultiplyWideningAndAdd(a10, x, w); a11 = AvxVnni.MultiplyWideningAndAdd(a11, x, w);
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    }
}
