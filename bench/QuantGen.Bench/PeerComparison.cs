namespace QuantGen.Bench;

/// <summary>
/// The generated int8 pass against ONNX Runtime int8 on the same images, pass against pass in one process:
/// <c>--against-ort [28|224] [batch] [pairs]</c>, the median of the pairs' ratios QuantGen / ORT.
/// </summary>
/// <remarks>
/// A diagnostic beside the BenchmarkDotNet classes (<see cref="Int8MobileNetV2Benchmarks"/>,
/// <see cref="Int8MobileNetV2ImageNetBenchmarks"/>), which time each engine in a run of its own: on a shared host a burst
/// that lands on one engine's run moves their ratio by 10% or more (ORT's MNIST batch 1 once measured 403 µs against
/// 244 µs the day before). Here both engines see every moment alike. Same models, sessions and inputs as those classes:
/// ORT with one thread, sequential, all graph optimisations, bound to preallocated values.
/// </remarks>
internal static class PeerComparison
{
    public static void Run(int size, int batch, int pairs)
    {
        bool imageNet = size == 224;
        (float[] images, int classes) = Int8Models.Images(size, batch);
        float[] ours = new float[batch * classes], theirs = new float[batch * classes];
        Action quantGen = Int8Models.GeneratedPass(size, images, ours, batch);
        (string onnxModel, long[] inputShape) = Int8Models.OrtInt8(size, batch);
        using var ort = new OnnxPeer(onnxModel, images, inputShape, theirs, [batch, classes]);

        quantGen();
        ort.Run();
        int agree = 0;
        for (int i = 0; i < batch; i++) agree += Int8Models.ArgMax(ours.AsSpan(i * classes, classes)) == Int8Models.ArgMax(theirs.AsSpan(i * classes, classes)) ? 1 : 0;
        // Information, not a check: the 224 fixture's images are noise (torch.randn), whose top class ORT's own int8 run
        // (17 output steps from PyTorch's, which QuantGen's matches: the fixture's README) often names differently.
        Console.WriteLine($"Top-1 classes: QuantGen and ORT agree on {agree} of {batch} images.");

        var (ortTimes, quantGenTimes, ratios) = Interleaved.Run(ort.Run, quantGen, pairs);
        Console.WriteLine($"{(imageNet ? "224×224" : "28×28")}, batch {batch}, one thread, {pairs} pairs of passes, alternating:");
        Console.WriteLine($"  ONNX Runtime int8 ({Path.GetFileName(onnxModel)}): median {Interleaved.Median(ortTimes) * 1e6:F1} µs");
        Console.WriteLine($"  QuantGen int8, generated: median {Interleaved.Median(quantGenTimes) * 1e6:F1} µs");
        Console.WriteLine($"  QuantGen / ORT: median of the pairs' ratios {Interleaved.Summary(ratios, "F3")}");
    }
}
