using System.Diagnostics;
using System.Reflection;
using QuantGen.Compiled;
using QuantGen.IO;
using QuantGen.Models;

namespace QuantGen.Bench;

/// <summary>
/// <c>--float-steps [batch]</c>: where the generated MobileNetV2 float pass (28×28) spends its time, layer by layer.
/// Runs the pass's layer steps in pass order on its own arena, as <c>Forward</c> does (so each step sees the caches
/// its predecessors left), timing each with the Stopwatch; prints each step's median over many passes beside the whole
/// <c>Forward</c>'s median. The steps are the generated class's private per-layer methods, one per <c>Compiled*</c>
/// field, found through reflection.
/// </summary>
internal static class FloatStepProfile
{
    private delegate void FirstStep(ReadOnlySpan<float> input, int n);

    public static void Run(int batch)
    {
        var model = new MobileNetV2();
        model.LoadStateDict(SafeTensors.Load(SharedData.Fixture("mobilenetv2", "mnv2_float.safetensors")));
        model.Eval();
        float[] images = MnistSet.LoadTest(SharedData.MnistDirectory()).ToTensor(0, batch).Data.ToArray();
        Run(MobileNetV2.Float.From(model), images, 784, MobileNetV2.OutputLength, batch);
    }

    private static void Run<TPass>(TPass pass, float[] images, int inputLength, int outputLength, int batch)
        where TPass : FloatPass<TPass>
    {
        var logits = new float[batch * outputLength];
        Type type = typeof(TPass);
        const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;
        int maxBatch = (int)type.GetNestedType("Arena", BindingFlags.NonPublic)!.GetField("MaxBatch")!.GetValue(null)!;
        int n = Math.Min(batch, maxBatch), passes = (batch + maxBatch - 1) / maxBatch;
        string[] names = type.GetFields(Private)
            .Where(f => f.FieldType.Namespace == typeof(CompiledFloatConv2d).Namespace && f.FieldType.Name.StartsWith("Compiled", StringComparison.Ordinal))
            .Select(f => char.ToUpperInvariant(f.Name[0]) + f.Name[1..])
            .ToArray();
        // The first layer reads the caller's input; every later one reads the arena.
        var first = type.GetMethod(names[0], Private)!.CreateDelegate<FirstStep>(pass);
        var steps = names[1..].Select(name => type.GetMethod(name, Private, [typeof(int)])!.CreateDelegate<Action<int>>(pass)).ToArray();

        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalMilliseconds < 1000) pass.Forward(images, logits, batch);
        const int Passes = 1000;
        var ticks = new long[steps.Length + 1, Passes];
        ReadOnlySpan<float> input = images.AsSpan(0, n * inputLength);
        for (int p = 0; p < Passes; p++)
        {
            long t0 = Stopwatch.GetTimestamp();
            first(input, n);
            long t1 = Stopwatch.GetTimestamp();
            ticks[0, p] = t1 - t0;
            for (int s = 0; s < steps.Length; s++)
            {
                steps[s](n);
                long t2 = Stopwatch.GetTimestamp();
                ticks[s + 1, p] = t2 - t1;
                t1 = t2;
            }
        }

        double whole = ProfileTiming.WholeMedian(() => pass.Forward(images, logits, batch), 301);
        Console.WriteLine($"Generated {type.DeclaringType!.Name}.Float, batch {batch}: {passes} pass(es) of {n}. Per pass, in pass order:");
        Console.WriteLine();
        Console.WriteLine("| step | median µs / pass |");
        Console.WriteLine("|---|---:|");
        double sum = 0;
        for (int s = 0; s < names.Length; s++)
        {
            double micros = ProfileTiming.MedianMicros(ticks, s);
            sum += micros;
            Console.WriteLine($"| {names[s]} | {micros:F2} |");
        }
        Console.WriteLine();
        Console.WriteLine($"Sum of step medians: {sum:F1} µs per pass ({sum * passes:F1} µs per batch).");
        Console.WriteLine($"Whole Forward (median): {whole * 1e6:F1} µs per batch.");
    }
}
