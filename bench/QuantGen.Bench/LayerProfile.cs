using System.Diagnostics;
using QuantGen.IO;
using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Bench;

/// <summary>
/// <c>--layers [batch] [224]</c>: each convolution of the converted MobileNetV2 (28×28 MNIST, or the 224×224 ImageNet
/// fixture) on its own <see cref="Int8Conv2d"/> (the kernel the generated pass runs), timed with a Stopwatch, with its
/// MACs and its share of this core's measured int8 peak (<see cref="Int8PeakBenchmarks"/>' register-only loop of the
/// widest dot product the kernels use here), then the same summed by layer class. A diagnostic beside the
/// BenchmarkDotNet runs, not one of them: it prints markdown tables for RESULTS.md.
/// </summary>
/// <remarks>
/// The layers are timed in rounds, each round the peak loop and then every layer for a slice of about 2 ms, and each
/// figure is the median over the rounds. Timed one after the other, each for its own 15 repeats, the layers met the
/// shared host at different moments: on a busy Sapphire Rapids two layers of the same shape read 66% and 89% of a
/// peak measured once before them; in rounds, 86% and 87% of the rounds' median peak.
/// </remarks>
internal static class LayerProfile
{
    private const int Rounds = 21;

    public static void Run(int batch, int size)
    {
        MobileNetV2 model = ConvertedModel(size);
        var profiled = Layers(model, batch, size).ToList();
        var layers = profiled.Select(p => p.Build()).ToList();
        var calls = new int[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            (ProfiledLayer p, Int8Conv2d layer) = (profiled[i], layers[i]);
            calls[i] = CallsPerSlice(() => layer.Forward(p.Input, p.Output));
        }
        var peaks = new double[Rounds];
        var seconds = new double[layers.Count][];
        for (int i = 0; i < layers.Count; i++) seconds[i] = new double[Rounds];
        string peakKind = "";
        for (int r = 0; r < Rounds; r++)
        {
            (peaks[r], peakKind) = Int8PeakBenchmarks.Measure();
            for (int i = 0; i < layers.Count; i++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int c = 0; c < calls[i]; c++) layers[i].Forward(profiled[i].Input, profiled[i].Output);
                seconds[i][r] = Stopwatch.GetElapsedTime(start).TotalSeconds / calls[i];
            }
        }
        double peak = Interleaved.Median(peaks);
        Console.WriteLine($"Measured int8 peak: {peak:F1} G MAC/s ({peakKind}, 12 independent accumulators; median of {Rounds} rounds, {peaks.Min():F1}–{peaks.Max():F1}). Batch {batch}, {size}×{size}, path {Int8KernelPaths.Current}.");
        Console.WriteLine();
        Console.WriteLine("| layer | kind | shape (in → out) | kernel | MACs | median | G MAC/s | % of peak |");
        Console.WriteLine("|---|---|---|---|---:|---:|---:|---:|");
        var classes = new Dictionary<string, (double Seconds, long Macs, int Layers)>();
        for (int i = 0; i < layers.Count; i++)
        {
            ConvGeometry g = profiled[i].Geometry;
            Int8Conv2d layer = layers[i];
            double median = Interleaved.Median(seconds[i]);
            double gmacs = g.MacCount / median / 1e9;
            Console.WriteLine($"| {profiled[i].Name} | {Kind(layer.Algorithm, g)} | {Shape(g)} | {layer.KernelName} | {g.MacCount:N0} | {median * 1e6:F1} µs | {gmacs:F1} | {100 * gmacs / peak:F0}% |");
            string layerClass = Class(layer.Algorithm, g);
            var (sum, macs, count) = classes.GetValueOrDefault(layerClass);
            classes[layerClass] = (sum + median, macs + g.MacCount, count + 1);
        }
        double total = classes.Values.Sum(c => c.Seconds);
        long totalMacs = classes.Values.Sum(c => c.Macs);
        Console.WriteLine($"| all convolutions | | | | {totalMacs:N0} | {total * 1e6:F1} µs | {totalMacs / total / 1e9:F1} | {100 * totalMacs / total / 1e9 / peak:F0}% |");
        Console.WriteLine();
        Console.WriteLine("| layer class | layers | MACs | time | share of time | G MAC/s | % of peak |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, (classSeconds, macs, count)) in classes.OrderByDescending(c => c.Value.Seconds))
        {
            double gmacs = macs / classSeconds / 1e9;
            Console.WriteLine($"| {name} | {count} | {macs:N0} | {classSeconds * 1e6:F1} µs | {100 * classSeconds / total:F0}% | {gmacs:F1} | {100 * gmacs / peak:F0}% |");
        }

        if (size == 224) return;
        MobileNetV2.Int8 int8 = MobileNetV2.Int8.From(model);
        float[] images = MnistSet.LoadTest(SharedData.MnistDirectory()).ToTensor(0, batch).Data;
        var logits = new float[batch * 10];
        double whole = Median(() => int8.Forward(images, logits, batch));
        Console.WriteLine();
        Console.WriteLine($"Generated MobileNetV2.Int8.Forward, batch {batch}: {whole * 1e6:F1} µs ({totalMacs / whole / 1e9:F1} G MAC/s, the convolutions' MACs).");
        using var onnx = new OnnxPeer(SharedData.Fixture("mobilenetv2", "mnv2_int8_qdq.onnx"), images, [batch, 1, 28, 28], new float[batch * 10], [batch, 10]);
        Console.WriteLine($"ONNX Runtime int8 (mnv2_int8_qdq.onnx), batch {batch}: {Median(onnx.Run) * 1e6:F1} µs.");
    }

    /// <summary>Calls of <paramref name="action"/> that fill a 2 ms slice, after 300 ms of calls (past tiered JIT: the kernels reach tier 1 after 30 calls and a background compile).</summary>
    private static int CallsPerSlice(Action action)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalMilliseconds < 300) action();
        watch.Restart();
        int calls = 0;
        while (watch.Elapsed.TotalMilliseconds < 2) { action(); calls++; }
        return calls;
    }

    /// <summary>The fixture's MobileNetV2 at <paramref name="size"/> (224, or 28 for MNIST), calibrated and converted.</summary>
    public static MobileNetV2 ConvertedModel(int size)
    {
        if (size == 224)
        {
            var imageNet = new MobileNetV2ImageNet();
            imageNet.Network.LoadStateDict(SafeTensors.Load(SharedData.Fixture("mobilenetv2-224", "mnv2_224_float.safetensors")));
            Int8Models.CalibrateImageNet(imageNet);
            return imageNet.Network;
        }
        var model = new MobileNetV2();
        model.LoadStateDict(SafeTensors.Load(SharedData.Fixture("mobilenetv2", "mnv2_float.safetensors")));
        model.Calibrate(CalibrationBatches(), QConfig.Default).Convert();
        return model;
    }

    /// <summary>
    /// Each converted convolution of <paramref name="model"/> as a layer of its own at <paramref name="batch"/>, built
    /// on the calling thread's path when <see cref="ProfiledLayer.Build"/> runs, with an input and an output to run it on.
    /// </summary>
    public static IEnumerable<ProfiledLayer> Layers(MobileNetV2 model, int batch, int size)
    {
        int height = size, width = size;
        foreach (var (name, module) in model.NamedModules())
        {
            if (module is not Conv2d { Substitute: QuantizedConv2d q } conv) continue;
            var g = new ConvGeometry(batch, conv.InChannels, height, width, conv.OutChannels, conv.KernelSize.Height, conv.KernelSize.Width,
                conv.Stride.Height, conv.Stride.Width, conv.Padding.Height, conv.Padding.Width, Groups: conv.Groups);
            byte[] input = new byte[g.InputLength], output = new byte[g.OutputLength];
            // Bytes in [0, 127], where QConfig.Default's calibration leaves the activations (and where AVX2's GEMMs run vpmaddubsw).
            var random = new Random(1);
            for (int i = 0; i < input.Length; i++) input[i] = (byte)random.Next(128);
            yield return new ProfiledLayer(name, g, input, output,
                () => new Int8Conv2d(g, q.Weight, q.WeightQParams, [], new ActivationQParams(0.05f, 0), q.Output, conv.Activation));
            (height, width) = (g.OutHeight, g.OutWidth);
        }
    }

    public static string Kind(Int8ConvAlgorithm algorithm, in ConvGeometry g) => algorithm switch
    {
        Int8ConvAlgorithm.Depthwise => $"dw {g.KernelHeight}×{g.KernelWidth} s{g.StrideHeight}",
        Int8ConvAlgorithm.Pointwise => "pw",
        Int8ConvAlgorithm.Direct => $"direct {g.KernelHeight}×{g.KernelWidth} s{g.StrideHeight}",
        _ => $"im2col {g.KernelHeight}×{g.KernelWidth} s{g.StrideHeight}",
    };

    public static string Shape(in ConvGeometry g) => $"{g.InChannels}@{g.InHeight}×{g.InWidth} → {g.OutChannels}@{g.OutHeight}×{g.OutWidth}";

    /// <summary>
    /// Pointwise layers by what they do in an inverted residual (expansions widen, projections narrow) and, for
    /// expansions, by their depth: the small-K ones (K ≤ 32) are epilogue-bound.
    /// </summary>
    private static string Class(Int8ConvAlgorithm algorithm, ConvGeometry g) => algorithm switch
    {
        Int8ConvAlgorithm.Depthwise => "depthwise 3×3",
        Int8ConvAlgorithm.Pointwise when g.OutChannels > g.InChannels && g.InChannels <= 32 => "pw expansion, K ≤ 32",
        Int8ConvAlgorithm.Pointwise when g.OutChannels > g.InChannels => "pw expansion, K > 32",
        Int8ConvAlgorithm.Pointwise => "pw projection",
        _ => "stem",
    };

    private static IEnumerable<Tensor> CalibrationBatches()
    {
        MnistSet train = MnistSet.LoadTrain(SharedData.MnistDirectory());
        for (int start = 0; start < Int8Models.CalibrationImages; start += 64) yield return train.ToTensor(start, 64);
    }

    /// <summary>The median of 15 slices of <see cref="CallsPerSlice"/> calls, a call's seconds.</summary>
    private static double Median(Action action)
    {
        int calls = CallsPerSlice(action);
        var times = new double[15];
        var watch = new Stopwatch();
        for (int r = 0; r < times.Length; r++)
        {
            watch.Restart();
            for (int i = 0; i < calls; i++) action();
            times[r] = watch.Elapsed.TotalSeconds / calls;
        }
        return Interleaved.Median(times);
    }
}

/// <summary>One convolution of a profiled model: its name, its geometry, and buffers to run it on.</summary>
internal sealed record ProfiledLayer(string Name, ConvGeometry Geometry, byte[] Input, byte[] Output, Func<Int8Conv2d> Build);
