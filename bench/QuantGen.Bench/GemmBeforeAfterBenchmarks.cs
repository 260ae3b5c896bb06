#if GEMM_BEFORE
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using QuantGen.Bench.Before;
using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;

namespace QuantGen.Bench;

/// <summary>
/// One GEMM driver against the four tile kernels it replaced (a previous commit's, compiled in beside it by
/// <c>bench/gemm-before.sh</c>), on the same packed weights and rows, per vector path this machine has, at
/// MobileNetV2's pointwise shapes (M pixels × K → N): 28×28 MNIST at batch 1 and 224×224 ImageNet. Inputs are in
/// [0, 127] and weights symmetric, as PyTorch's default qconfig leaves them. Setup checks that both give the same bytes.
/// </summary>
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public unsafe class GemmBeforeAfterBenchmarks
{
    private QGemm gemm = null!;
    private PinnedBuffer<byte> input = null!;
    private PinnedBuffer<byte> output = null!;
    private Rows rows;

    public static IEnumerable<Int8KernelPath> Paths => Enum.GetValues<Int8KernelPath>().Where(p => p != Int8KernelPath.Scalar && Int8KernelPaths.IsSupported(p));

    [ParamsSource(nameof(Paths))]
    public Int8KernelPath Path { get; set; }

    [Params(
        "28: 196x16->96", "28: 196x32->16", "28: 4x96->576", "28: 1x320->1280",
        "224: 12544x16->96", "224: 3136x24->144", "224: 784x32->192", "224: 196x96->576", "224: 49x320->1280")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Shape[(Shape.IndexOf(' ') + 1)..].Split('x', '-', '>');
        int m = int.Parse(parts[0]), k = int.Parse(parts[1]), n = int.Parse(parts[^1]);
        var random = new Random(17);
        var weight = new sbyte[n * k];
        random.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(weight.AsSpan()));
        var bias = new int[n];
        for (int i = 0; i < n; i++) bias[i] = random.Next(-5000, 5000);
        var inputQ = new ActivationQParams(0.02f, 0);
        var outputQ = new ActivationQParams(0.02f * 0.01f * MathF.Sqrt(k) * 40, 0);
        gemm = new QGemm(weight, n, k, WeightQParams.PerTensor(0.01f), bias, inputQ, outputQ,
            OutputRange.For(FusedActivation.ReLU, outputQ), new OutputRange(0, 127), Path);
        // Rows padded past the last whole step, so the last row is read in place (QGemm.Run copies it instead).
        input = new PinnedBuffer<byte>(m * k + 64);
        for (int i = 0; i < m * k; i++) input.Span[i] = (byte)random.Next(128);
        output = new PinnedBuffer<byte>(m * n);
        rows = new Rows(input.Pointer, k, m, input.Pointer + (long)(m - 1) * k);

        Before();
        byte[] before = output.Span.ToArray();
        output.Span.Clear();
        After();
        if (!output.Span.SequenceEqual(before)) throw new InvalidOperationException($"{Path}, {Shape}: the driver's bytes differ from the old kernels'.");
    }

    [Benchmark(Baseline = true, Description = "before: Gemm128/256/256Wide/512")]
    public void Before()
    {
        switch (gemm.Path, gemm.Kind)
        {
            case (Int8KernelPath.AvxVnni, _) when gemm.PanelWidth == Gemm256Wide<VnniQuad>.Width: Gemm256Wide<VnniQuad>.Run(gemm, rows, output.Pointer, null); break;
            case (Int8KernelPath.AvxVnni, _): Gemm256<VnniQuad>.Run(gemm, rows, output.Pointer, null); break;
            case (Int8KernelPath.Avx2, StepKind.Quad): Gemm256<MaddubsQuad>.Run(gemm, rows, output.Pointer, null); break;
            case (Int8KernelPath.Avx2, _): Gemm256<WidePair>.Run(gemm, rows, output.Pointer, null); break;
            case (Int8KernelPath.Avx512BW, StepKind.Quad): Gemm512<MaddubsQuad>.Run(gemm, rows, output.Pointer, null); break;
            case (Int8KernelPath.Avx512BW, _): Gemm512<WidePair>.Run(gemm, rows, output.Pointer, null); break;
            default: Gemm128<PortableSingle>.Run(gemm, rows, output.Pointer, null); break;
        }
    }

    [Benchmark(Description = "after: GemmDriver")]
    public void After() => gemm.RunTiles(rows, output.Pointer, null);

    /// <summary>
    /// <c>--gemm-before-after [path]</c>: the same pairs timed interleaved with the Stopwatch, for a machine too loaded for
    /// BenchmarkDotNet's one-case-after-another runs to compare: 41 rounds of (before ≥ 1 ms, after as many calls),
    /// so that both sides of a round see the same load, after a warm-up past tiered JIT; prints the median of each side and of the per-round ratios.
    /// </summary>
    public static void Interleaved(string? onlyPath = null)
    {
        Console.WriteLine("| path | shape | before (median) | after (median) | ratio of medians | median of round ratios |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        foreach (Int8KernelPath path in Paths.Where(p => onlyPath is null || p.ToString() == onlyPath))
        {
            foreach (string shape in typeof(GemmBeforeAfterBenchmarks).GetProperty(nameof(Shape))!.GetCustomAttributes(typeof(ParamsAttribute), false).Cast<ParamsAttribute>().Single().Values.Cast<string>())
            {
                var b = new GemmBeforeAfterBenchmarks { Path = path, Shape = shape };
                b.Setup();
                // Past tiered JIT on both sides: 400 ms of alternating calls (tier 1 comes after 30 calls and a background compile).
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                while (System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds < 400) { b.Before(); b.After(); }
                start = System.Diagnostics.Stopwatch.GetTimestamp();
                int calls = 0;
                while (System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds < 1) { b.Before(); calls++; }
                const int Rounds = 41;
                double[] before = new double[Rounds], after = new double[Rounds], ratios = new double[Rounds];
                for (int r = 0; r < Rounds; r++)
                {
                    before[r] = Time(b.Before, calls);
                    after[r] = Time(b.After, calls);
                    ratios[r] = after[r] / before[r];
                }
                double medianBefore = Median(before), medianAfter = Median(after);
                Console.WriteLine($"| {path} | {shape} | {medianBefore:F2} µs | {medianAfter:F2} µs | {medianAfter / medianBefore:F2} | {Median(ratios):F2} |");
            }
        }
    }

    private static double Time(Action action, int calls)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) action();
        return System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
#endif
