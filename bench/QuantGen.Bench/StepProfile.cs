using System.Diagnostics;
using System.Reflection;
using QuantGen.Compiled;
using QuantGen.IO;
using QuantGen.Models;

namespace QuantGen.Bench;

/// <summary>
/// <c>--steps [batch]</c>: where the generated MobileNetV2 int8 pass spends its time. Runs the pass's steps in pass order
/// on its own arena, as <c>Forward</c> does (so each step sees the caches its predecessors left), timing each one with
/// the Stopwatch; prints each step's median over many passes beside the whole <c>Forward</c>'s median.
/// The steps are the generated class's private per-step methods, found through reflection, one per <c>Compiled*</c> field.
/// </summary>
internal static class StepProfile
{
    private delegate void QuantStep(ReadOnlySpan<float> input, int n);
    private delegate void DequantStep(Span<float> output, int n);

    /// <summary>MobileNetV2 on 28×28 MNIST, or at 224×224 on the ImageNet fixture's images.</summary>
    public static void Run(int batch, int size)
    {
        if (size == 224)
        {
            float[] images = Int8Models.ImageNetImages("calib32.f32").AsSpan(0, batch * Int8Models.ImageNetImage).ToArray();
            Run(Int8Models.MobileNetV2ImageNet(), images, Int8Models.ImageNetImage, MobileNetV2ImageNet.Classes, batch);
        }
        else
        {
            Run(Int8Models.MobileNetV2(), MnistSet.LoadTest(SharedData.MnistDirectory()).ToTensor(0, batch).Data, 784, 10, batch);
        }
    }

    private static void Run<TPass>(TPass int8, float[] images, int inputLength, int outputLength, int batch)
        where TPass : Int8Pass<TPass>
    {
        var logits = new float[batch * outputLength];
        Type type = typeof(TPass);
        const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;
        Type arena = type.GetNestedType("Arena", BindingFlags.NonPublic)!;
        int maxBatch = (int)arena.GetField("MaxBatch")!.GetValue(null)!;
        // A pass with a head runs its first steps one sample at a time (their values are Arena.PerSample's): each such
        // step is timed over the pass's samples, one call each.
        HashSet<string> head = arena.GetNestedType("PerSample")?.GetFields().Select(f => f.Name).ToHashSet() ?? [];
        int n = Math.Min(batch, maxBatch), passes = (batch + maxBatch - 1) / maxBatch;
        var all = type.GetFields(Private)
            .Where(f => f.FieldType.Namespace == typeof(CompiledConv2d).Namespace && f.FieldType.Name.StartsWith("Compiled", StringComparison.Ordinal))
            .Select(f => char.ToUpperInvariant(f.Name[0]) + f.Name[1..])
            .ToArray();
        // The stubs' steps: "Quant" and "Dequant", or "NetworkQuant" and "NetworkDequant" inside a wrapper.
        string quantName = all.Single(name => name.EndsWith("Quant", StringComparison.Ordinal) && !name.EndsWith("Dequant", StringComparison.Ordinal));
        string dequantName = all.Single(name => name.EndsWith("Dequant", StringComparison.Ordinal));
        var quant = type.GetMethod(quantName, Private)!.CreateDelegate<QuantStep>(int8);
        var dequant = type.GetMethod(dequantName, Private)!.CreateDelegate<DequantStep>(int8);
        var names = all.Where(name => name != quantName && name != dequantName).ToArray();
        var steps = names.Select(name => type.GetMethod(name, Private, [typeof(int)])!.CreateDelegate<Action<int>>(int8)).ToArray();
        var headSteps = names.Select(head.Contains).ToArray();
        void Step(int s, int n)
        {
            if (!headSteps[s]) steps[s](n);
            else for (int sample = 0; sample < n; sample++) steps[s](1);
        }
        void Quant(ReadOnlySpan<float> input, int n)
        {
            if (!head.Contains(quantName)) quant(input, n);
            else for (int sample = 0; sample < n; sample++) quant(input.Slice(sample * inputLength, inputLength), 1);
        }

        // Warm past tiered JIT with whole passes and with passes step by step: a step called on its own is compiled on
        // its own, apart from its copy inlined into Forward, and tiers up after 30 calls; timed in tier-0 code, it
        // would blame the kernel.
        ReadOnlySpan<float> input = images.AsSpan(0, n * inputLength);
        Span<float> output = logits.AsSpan(0, n * outputLength);
        var watch = Stopwatch.StartNew();
        for (int warm = 0; warm < 60 || watch.Elapsed.TotalMilliseconds < 1000; warm++)
        {
            int8.Forward(images, logits, batch);
            Quant(input, n);
            for (int s = 0; s < steps.Length; s++) Step(s, n);
            dequant(output, n);
        }
        const int Passes = 400;
        var ticks = new long[steps.Length + 2, Passes];
        for (int p = 0; p < Passes; p++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Quant(input, n);
            long t1 = Stopwatch.GetTimestamp();
            ticks[0, p] = t1 - t0;
            for (int s = 0; s < steps.Length; s++)
            {
                Step(s, n);
                long t2 = Stopwatch.GetTimestamp();
                ticks[s + 1, p] = t2 - t1;
                t1 = t2;
            }
            dequant(output, n);
            ticks[steps.Length + 1, p] = Stopwatch.GetTimestamp() - t1;
        }

        double whole = ProfileTiming.WholeMedian(() => int8.Forward(images, logits, batch), 101);
        string tiled = head.Count == 0 ? "" : $", its first {headSteps.Count(h => h) + 1} steps one sample at a time";
        Console.WriteLine($"Generated {type.DeclaringType!.Name}.Int8, batch {batch}: {passes} pass(es) of {n} (Arena.MaxBatch {maxBatch}{tiled}). Per pass, in pass order:");
        Console.WriteLine();
        Console.WriteLine("| step | median µs / pass |");
        Console.WriteLine("|---|---:|");
        string[] labels = [quantName, .. names, dequantName];
        double sum = 0, convs = 0, others = 0;
        for (int s = 0; s < labels.Length; s++)
        {
            double micros = ProfileTiming.MedianMicros(ticks, s);
            sum += micros;
            if (labels[s].Contains("Features", StringComparison.Ordinal) && !labels[s].EndsWith("SkipAdd", StringComparison.Ordinal)) convs += micros;
            else others += micros;
            Console.WriteLine($"| {labels[s]} | {micros:F1} |");
        }
        Console.WriteLine();
        Console.WriteLine($"Sum of step medians: {sum:F1} µs per pass ({sum * passes:F1} µs per batch): convolutions {convs * passes:F1}, the rest {others * passes:F1}.");
        Console.WriteLine($"Whole Forward (median): {whole * 1e6:F1} µs per batch.");
    }
}
