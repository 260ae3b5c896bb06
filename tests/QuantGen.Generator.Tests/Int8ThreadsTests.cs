using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Quantization;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The generated <c>Int8.Fork()</c> and <c>Int8.MaxThreads</c>, compiled and run: a fork and a batch split over threads
/// give the one-thread bytes, forks run at once without touching each other, and bad arguments fail before any work.
/// </summary>
public sealed class Int8ThreadsTests
{
    private const int Images = 130;


    private static ICompiledDriver QuantizedSmallCnn() =>
        CompiledModels.Quantized(CompiledModels.SmallCnnFixture.Value, "pytorch", "small_cnn.safetensors", calibrationImages: 320, QConfig.Onednn);

    private static float[] MnistImages(int count) => CompiledModels.Mnist.Value.Test.ToTensor(0, count).Data;

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void MaxThreads_gives_the_one_thread_bytes(int threads)
    {
        ICompiledDriver driver = QuantizedSmallCnn();
        float[] images = MnistImages(Images);
        foreach (int batch in (ReadOnlySpan<int>)[1, 2, 3, 64, 65, 130])
        {
            ReadOnlySpan<float> input = images.AsSpan(0, batch * 784);
            driver.MaxThreads = 1;
            var expected = new float[batch * 10];
            driver.Forward(input, expected, batch);

            driver.MaxThreads = threads;
            var actual = new float[batch * 10];
            driver.Forward(input, actual, batch);
            CompiledModels.AssertBits(expected, actual);
            Array.Clear(actual);
            driver.Forward(input, actual, batch);   // the forks are kept and reused
            CompiledModels.AssertBits(expected, actual);
        }
    }

    [Fact]
    public void A_fork_equals_its_source()
    {
        ICompiledDriver driver = QuantizedSmallCnn();
        ICompiledDriver fork = driver.Fork();
        Assert.Equal(1, fork.MaxThreads);
        float[] images = MnistImages(Images);

        CompiledModels.AssertBits(Run(driver, images, Images), Run(fork, images, Images));
        var one = new float[10];
        fork.Forward(images.AsSpan(0, 784), one);
        CompiledModels.AssertBits(Run(driver, images, 1), one);
    }

    [Fact]
    public void Forks_run_at_once_on_several_threads_and_give_the_same_bytes()
    {
        ICompiledDriver driver = QuantizedSmallCnn();
        float[] images = MnistImages(Images);
        float[] expected = Run(driver, images, Images);
        ICompiledDriver[] passes = [driver, driver.Fork(), driver.Fork(), driver.Fork()];

        using var start = new Barrier(passes.Length);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        Thread[] threads = [.. passes.Select((pass, i) => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                for (int round = 0; round < 10; round++)
                {
                    // Batches of different sizes, so that the passes are not in step.
                    int batch = 1 + (i * 31 + round * 17) % Images;
                    var output = new float[batch * 10];
                    pass.Forward(images.AsSpan(0, batch * 784), output, batch);
                    CompiledModels.AssertBits(expected[..(batch * 10)], output);
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        }))];
        foreach (Thread thread in threads) thread.Start();
        foreach (Thread thread in threads) thread.Join();

        Assert.Empty(failures);
    }

    [Fact]
    public void MaxThreads_below_one_throws_and_keeps_its_value()
    {
        ICompiledDriver driver = QuantizedSmallCnn();
        driver.MaxThreads = 2;
        Assert.Throws<ArgumentOutOfRangeException>(() => driver.MaxThreads = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => driver.MaxThreads = -1);
        Assert.Equal(2, driver.MaxThreads);
        driver.MaxThreads = 64;   // above the processors: allowed, capped in use
        Assert.Equal(64, driver.MaxThreads);
        float[] images = MnistImages(64);
        CompiledModels.AssertBits(Run(QuantizedSmallCnn(), images, 64), Run(driver, images, 64));
    }

    [Fact]
    public void A_wrong_length_throws_before_any_work_and_leaves_the_pass_usable()
    {
        ICompiledDriver driver = QuantizedSmallCnn();
        driver.MaxThreads = 2;
        float[] images = MnistImages(64);
        var output = new float[64 * 10];
        Array.Fill(output, float.NaN);

        Assert.Throws<ArgumentException>(() => driver.Forward(images.AsSpan(0, 63 * 784), output, 64));
        Assert.Throws<ArgumentException>(() => driver.Forward(images, output.AsSpan(0, 630), 64));
        Assert.All(output, value => Assert.True(float.IsNaN(value)));

        driver.MaxThreads = 1;
        float[] expected = Run(driver, images, 64);
        driver.MaxThreads = 2;
        CompiledModels.AssertBits(expected, Run(driver, images, 64));
    }

    [Fact]
    public void A_split_batch_allocates_nothing_on_the_calling_thread_once_the_forks_exist()
    {
        ICompiledDriver driver = QuantizedSmallCnn();
        driver.MaxThreads = 2;
        float[] images = MnistImages(64);
        var logits = new float[64 * 10];
        CompiledModels.PastTieredJit(() => driver.Forward(images, logits, 64));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) driver.Forward(images, logits, 64);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    public static TheoryData<string> OtherModels => ["Islands", "TinyResNet"];

    /// <summary>Float islands (whose scratch a fork needs its own of) and a residual add, on random inputs.</summary>
    [Theory]
    [MemberData(nameof(OtherModels))]
    public void Forks_and_MaxThreads_give_the_one_thread_bytes_on_other_models(string model)
    {
        (string source, int height) = model == "Islands" ? (Sources.Islands, 8) : (Sources.ResidualAdd, 28);
        GeneratorRun run = InMemoryAssembly.Compile((source, model + ".cs"), (Sources.Driver(model), "Driver.cs"));
        ICompiledDriver driver = InMemoryAssembly.Driver(run, "Sample.Driver");
        var random = new Random(11);
        Tensor Batch(int n) => CompiledModels.RandomImages(random, n, height);

        driver.Model.Eval();
        driver.Quantize([Batch(32), Batch(32)], qconfig: null);
        float[] inputs = Batch(65).Data;
        float[] expected = Run(driver, inputs, 65, height * height);

        CompiledModels.AssertBits(expected, Run(driver.Fork(), inputs, 65, height * height));
        driver.MaxThreads = 2;
        CompiledModels.AssertBits(expected, Run(driver, inputs, 65, height * height));
    }

    /// <summary>The first <paramref name="batch"/> samples through the batched <c>Forward</c>: their 10 logits each.</summary>
    private static float[] Run(ICompiledDriver driver, float[] images, int batch, int inputLength = 784)
    {
        var output = new float[batch * 10];
        driver.Forward(images.AsSpan(0, batch * inputLength), output, batch);
        return output;
    }
}
