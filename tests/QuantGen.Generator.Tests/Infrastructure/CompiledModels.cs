using Microsoft.CodeAnalysis;
using QuantGen.IO;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Generator.Tests.Infrastructure;

/// <summary>What the compile-and-run tests share: a compiled model with trained weights, quantized through its generated glue.</summary>
public static class CompiledModels
{
    public static readonly Lazy<(MnistSet Train, MnistSet Test)> Mnist = new(() => (MnistSet.LoadTrain(), MnistSet.LoadTest()));

    /// <summary>The small CNN as the PyTorch fixture fuses it, with a driver, compiled once for every test that runs it.</summary>
    public static readonly Lazy<GeneratorRun> SmallCnnFixture = new(() =>
        InMemoryAssembly.Compile((Sources.SmallCnnFixture, "SmallCnn.cs"), (Sources.Driver("SmallCnn"), "Driver.cs")));

    /// <summary>The real MobileNetV2 sample (its class and block files), with a driver, compiled once.</summary>
    public static readonly Lazy<GeneratorRun> MobileNetV2 = new(() => InMemoryAssembly.Compile(
        [(SampleSources.ImplicitUsings, "GlobalUsings.g.cs"),
         .. SampleSources.MobileNetV2Files.Select(file => (SampleSources.Read(file), file)),
         (Sources.Driver("QuantGen.Models.MobileNetV2"), "Driver.cs"),
         (Sources.PassDriver("QuantGen.Models.MobileNetV2", "Float"), "PassDriver.cs")]));

    /// <summary>
    /// Checks that <paramref name="run"/> compiled cleanly, creates its <c>Sample.Driver</c>, loads the fixture's
    /// weights and calibrates on the first <paramref name="calibrationImages"/> MNIST training images.
    /// </summary>
    public static ICompiledDriver Quantized(GeneratorRun run, string fixture, string weights, int calibrationImages, QConfig? qconfig)
    {
        AssertClean(run);

        ICompiledDriver driver = InMemoryAssembly.Driver(run, "Sample.Driver");
        driver.Model.LoadStateDict(SafeTensors.Load(SharedData.Fixture(fixture, weights)));
        driver.Quantize(Batches(Mnist.Value.Train, calibrationImages, 64), qconfig);
        return driver;
    }

    /// <summary><paramref name="n"/> one-channel <paramref name="side"/> × <paramref name="side"/> images of values uniform in [low, low + width).</summary>
    public static Tensor RandomImages(Random random, int n, int side, float low = -1, float width = 4)
    {
        var images = new Tensor(new Shape(n, 1, side, side));
        for (int i = 0; i < images.Length; i++) images.Data[i] = random.NextSingle() * width + low;
        return images;
    }

    /// <summary>Checks that <paramref name="run"/> compiled cleanly and creates its <c>Sample.PassDriver</c>.</summary>
    public static IPassDriver PassDriver(GeneratorRun run)
    {
        AssertClean(run);
        return InMemoryAssembly.Create<IPassDriver>(run, "Sample.PassDriver");
    }

    private static void AssertClean(GeneratorRun run)
    {
        Assert.Null(run.Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    /// <summary>
    /// Seeded weights for every convolution and linear layer, uniform within ±2/√fan-in: not the default init's draws
    /// (which depend on what ran before), and a spread that a stack of layers keeps, so that the logits vary.
    /// </summary>
    public static void SeedWeights(Module model, Random random)
    {
        foreach (Tensor weight in model.Modules().Select(m => m switch { Conv2d c => c.Weight, Linear l => l.Weight, _ => null }).OfType<Tensor>())
        {
            float bound = 2f / MathF.Sqrt(weight.Length / weight.Size(0));
            for (int i = 0; i < weight.Length; i++) weight.Data[i] = (random.NextSingle() * 2 - 1) * bound;
        }
    }

    public static IEnumerable<Tensor> Batches(MnistSet set, int images, int size)
    {
        for (int start = 0; start < images; start += size) yield return set.ToTensor(start, Math.Min(size, images - start));
    }

    /// <summary>How many of the first images the 10-class logits classify correctly.</summary>
    public static int Correct(float[] logits, ReadOnlySpan<byte> labels)
    {
        int correct = 0;
        for (int i = 0; i < logits.Length / 10; i++)
        {
            int best = 0;
            for (int k = 1; k < 10; k++) best = logits[i * 10 + k] > logits[i * 10 + best] ? k : best;
            correct += best == labels[i] ? 1 : 0;
        }

        return correct;
    }

    /// <summary>
    /// Runs <paramref name="call"/> until tiered compilation has settled: the runtime's tier-up of a method (after
    /// 30 calls and a 100 ms quiet period) can allocate on the calling thread, which is not the code under test.
    /// </summary>
    public static void PastTieredJit(Action call)
    {
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 50; i++) call();
            Thread.Sleep(250);
        }
    }

    /// <summary>
    /// The converted eager model's output with its int8 modules on the reference kernels (<see cref="EagerKernels.Reference"/>):
    /// the definition the generated pass is held to. Eager int8 otherwise runs the generated pass's own kernels.
    /// </summary>
    public static float[] EagerReference(Nn.Module model, Tensor input)
    {
        EagerKernels.Reference = true;
        try
        {
            return model.Forward(input).Data;
        }
        finally
        {
            EagerKernels.Reference = false;
        }
    }

    /// <summary>Bytes 100 calls of <paramref name="call"/> allocate on this thread once the JIT has settled.</summary>
    public static long AllocatedBy100Calls(Action call)
    {
        PastTieredJit(call);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) call();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    public static void AssertBits(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"Logit {i % 10} of sample {i / 10}: eager {expected[i]:R}, generated {actual[i]:R}.");
            }
        }
    }
}
