namespace QuantGen.Bench;

/// <summary>
/// <c>--batch-against-singles [28|224] [batch] [pairs] [first]</c>: the generated int8 pass over a batch in one call
/// against the same images one call each, alternating in one process (<see cref="Interleaved"/>), logits compared first.
/// Says what running a batch at once buys over a loop of single images: the weights shared across samples, against
/// the samples' activations and inputs that no longer stay in the caches. With <c>first</c> the single calls all take
/// the batch's first image, as BenchmarkDotNet's batch-1 case does, whose input then stays in the caches.
/// </summary>
internal static class BatchAgainstSingles
{
    public static void Run(int size, int batch, int pairs, bool firstOnly)
    {
        (float[] images, int classes) = Int8Models.Images(size, batch);
        float[] together = new float[batch * classes], apart = new float[batch * classes];
        Action whole = Int8Models.GeneratedPass(size, images, together, batch);
        Action<int> single = Int8Models.GeneratedSample(size, images, apart);
        void Singles()
        {
            for (int i = 0; i < batch; i++) single(firstOnly ? 0 : i);
        }
        whole();
        Singles();
        int compared = (firstOnly ? 1 : batch) * classes;   // the images both ran
        BuildComparison.ReportDifferences<float>("Logits", "values", together.AsSpan(0, compared), apart.AsSpan(0, compared));
        var (times, singleTimes, ratios) = Interleaved.Run(whole, Singles, pairs);
        Console.WriteLine($"{size}×{size}, {pairs} pairs{(Interleaved.TurnMilliseconds > 0 ? $" of {Interleaved.TurnMilliseconds} ms turns" : "")}:");
        Console.WriteLine($"  one call of batch {batch}: median {Interleaved.Median(times) * 1e6:F1} µs");
        Console.WriteLine($"  {batch} calls of one image{(firstOnly ? ", the first each time" : "")}: median {Interleaved.Median(singleTimes) * 1e6:F1} µs");
        Console.WriteLine($"  singles / batch: median of the pairs' ratios {Interleaved.Summary(ratios, "F3")}");
    }
}
