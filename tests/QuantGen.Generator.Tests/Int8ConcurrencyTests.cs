using System.Collections.Concurrent;
using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Quantization;

namespace QuantGen.Generator.Tests;

/// <summary>
/// One generated <c>Int8</c> instance shared by many threads, as a service shares a singleton: every call's output is
/// the one-thread output bit for bit, with <c>MaxThreads</c> 1 and 2, no call waits without end, and once the workers
/// exist a call allocates nothing.
/// </summary>
public sealed class Int8ConcurrencyTests
{
    private const int Threads = 16, Images = 64;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Sixteen_threads_on_one_SmallCnn_get_the_one_thread_bytes_and_allocate_nothing_once_warm(int maxThreads)
    {
        ICompiledDriver driver = CompiledModels.Quantized(CompiledModels.SmallCnnFixture.Value, "pytorch", "small_cnn.safetensors", calibrationImages: 256, QConfig.Default);
        Hammer(driver, maxThreads, calls: 500, measureAllocations: true);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Sixteen_threads_on_one_MobileNetV2_get_the_one_thread_bytes(int maxThreads)
    {
        ICompiledDriver driver = CompiledModels.Quantized(CompiledModels.MobileNetV2.Value, "mobilenetv2", "mnv2_float.safetensors", calibrationImages: 128, QConfig.Default);
        Hammer(driver, maxThreads, calls: 60, measureAllocations: false);
    }

    /// <summary>
    /// <see cref="Threads"/> threads, each making warm-up calls and then <paramref name="calls"/> more of batch sizes 1
    /// to 8 from shifting offsets, every output checked against the one-thread output of its images.
    /// </summary>
    private static void Hammer(ICompiledDriver driver, int maxThreads, int calls, bool measureAllocations)
    {
        float[] images = CompiledModels.Mnist.Value.Test.ToTensor(0, Images).Data;
        var expected = new float[Images * 10];
        driver.MaxThreads = 1;
        for (int i = 0; i < Images; i++) driver.Forward(images.AsSpan(i * 784, 784), expected.AsSpan(i * 10, 10));
        Assert.True(expected.Distinct().Count() > 20, "the logits should vary, or the comparison proves little");
        driver.MaxThreads = maxThreads;
        // Every worker a call of the 16 may need, made now: how many calls overlap in the warm-up depends on the load.
        driver.Reserve(Threads);

        var failures = new ConcurrentQueue<string>();
        var allocated = new long[Threads];
        using var warm = new Barrier(Threads);
        Thread[] threads = [.. Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                var output = new float[8 * 10];
                void Call(int i)
                {
                    int batch = 1 + (t + i) % 8, start = (t * 7 + i * 3) % (Images - batch);
                    Span<float> logits = output.AsSpan(0, batch * 10);
                    if (batch == 1 && i % 2 == 0) driver.Forward(images.AsSpan(start * 784, 784), logits);
                    else driver.Forward(images.AsSpan(start * 784, batch * 784), logits, batch);
                    if (!logits.SequenceEqual(expected.AsSpan(start * 10, batch * 10))) failures.Enqueue($"thread {t}, call {i}: batch {batch} from image {start} differs");
                }

                // Warm: the methods past tiered compilation, with all threads at it.
                for (int round = 0; round < 4; round++)
                {
                    for (int i = 0; i < 50; i++) Call(i);
                    warm.SignalAndWait();
                    Thread.Sleep(250);
                }

                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < calls; i++) Call(i);
                allocated[t] = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            catch (Exception e)
            {
                failures.Enqueue($"thread {t}: {e}");
            }
        }) { IsBackground = true })];

        foreach (Thread thread in threads) thread.Start();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        foreach (Thread thread in threads)
        {
            // Bounded: a deadlock fails here instead of hanging the run.
            Assert.True(thread.Join(deadline - DateTime.UtcNow is { Ticks: > 0 } left ? left : TimeSpan.Zero), "a caller did not finish within 4 minutes: deadlock?");
        }

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));
        if (measureAllocations) Assert.All(allocated, bytes => Assert.Equal(0, bytes));
    }
}
