using QuantGen.Compiled;

namespace QuantGen.Tests.Compiled;

/// <summary>
/// <see cref="ParallelForward"/> over a stand-in pass whose scratch is its own (as a generated <c>Int8</c>'s arena is):
/// slices cover the batch, the bytes equal one thread's, forks are made once, a slice the pool has not started runs on
/// the calling thread, and a failure on any thread reaches the caller and leaves the object usable.
/// </summary>
public sealed class ParallelForwardTests
{
    private const int InputLength = 5, OutputLength = 2;

    [Theory]
    [InlineData(64, 2, new[] { 32, 32 })]
    [InlineData(65, 2, new[] { 33, 32 })]
    [InlineData(130, 3, new[] { 44, 43, 43 })]
    [InlineData(2, 3, new[] { 1, 1, 0 })]
    public void Slices_are_contiguous_and_differ_by_at_most_one(int batch, int slices, int[] sizes)
    {
        int next = 0;
        for (int i = 0; i < slices; i++)
        {
            (int start, int count) = ParallelForward.Range(batch, slices, i);
            Assert.Equal(next, start);
            Assert.Equal(sizes[i], count);
            next += count;
        }

        Assert.Equal(batch, next);
    }

    [Fact]
    public void Slices_are_capped_by_the_samples_and_the_processors()
    {
        var parallel = new StandIn().Parallel(processors: 2);
        Assert.Equal(1, parallel.SlicesFor(batch: 1, maxThreads: 8));
        Assert.Equal(2, parallel.SlicesFor(batch: 64, maxThreads: 8));
        Assert.Equal(1, parallel.SlicesFor(batch: 64, maxThreads: 1));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void The_bytes_equal_one_threads_and_forks_are_made_once(int threads)
    {
        var source = new StandIn();
        ParallelForward parallel = source.Parallel(processors: 3);
        foreach (int batch in (ReadOnlySpan<int>)[1, 2, 3, 64, 65, 130])
        {
            float[] input = Inputs(batch);
            float[] expected = new float[batch * OutputLength], actual = new float[batch * OutputLength];
            new StandIn().Forward(input, expected, batch);

            for (int round = 0; round < 3; round++)
            {
                Array.Fill(actual, float.NaN);
                parallel.Forward(input, actual, batch, threads);
                Assert.Equal(expected, actual);
            }
        }

        Assert.Equal(threads - 1, parallel.Forks);
        Assert.Equal(threads - 1, source.ForksMade);
    }

    [Fact]
    public void Slices_no_pool_thread_has_started_run_on_the_calling_thread()
    {
        var source = new StandIn();
        var dropped = new List<IThreadPoolWorkItem>();
        ParallelForward parallel = source.Parallel(processors: 3, dropped.Add);
        float[] input = Inputs(65);
        float[] expected = new float[65 * OutputLength], actual = new float[65 * OutputLength];
        source.Forward(input, expected, 65);

        parallel.Forward(input, actual, 65, maxThreads: 3);
        Assert.Equal(expected, actual);
        Assert.All(source.Forks, fork => Assert.Equal(0, fork.Samples));

        // The queued items, run late, find their slices claimed and do nothing.
        foreach (IThreadPoolWorkItem item in dropped) item.Execute();
        Assert.All(source.Forks, fork => Assert.Equal(0, fork.Samples));
    }

    [Fact]
    public void A_failure_on_a_worker_reaches_the_caller_and_leaves_it_usable()
    {
        var source = new StandIn();
        // Run each slice at once, as it is queued, so that the fork (not the calling thread) runs it.
        ParallelForward parallel = source.Parallel(processors: 3, item => item.Execute());
        float[] input = Inputs(64);
        float[] expected = new float[64 * OutputLength], actual = new float[64 * OutputLength];
        source.Forward(input, expected, 64);
        parallel.Forward(input, actual, 64, maxThreads: 3);   // makes the forks

        source.Forks[1].FailNext = true;
        var error = Assert.Throws<AggregateException>(() => parallel.Forward(input, actual, 64, maxThreads: 3));
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Single(error.InnerExceptions);

        parallel.Forward(input, actual, 64, maxThreads: 3);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_failure_on_the_calling_thread_waits_for_the_workers_then_reaches_the_caller()
    {
        var source = new StandIn { FailNext = true };
        ParallelForward parallel = source.Parallel(processors: 2);
        float[] input = Inputs(64), actual = new float[64 * OutputLength];

        var error = Assert.Throws<AggregateException>(() => parallel.Forward(input, actual, 64, maxThreads: 2));
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal(0, source.Forks[0].Running);

        parallel.Forward(input, actual, 64, maxThreads: 2);
        float[] expected = new float[64 * OutputLength];
        source.Forward(input, expected, 64);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Wrong_lengths_throw_before_any_work()
    {
        var source = new StandIn();
        ParallelForward parallel = source.Parallel(processors: 2);
        Assert.Throws<ArgumentException>(() => parallel.Forward(new float[64 * InputLength - 1], new float[64 * OutputLength], 64, 2));
        Assert.Throws<ArgumentException>(() => parallel.Forward(new float[64 * InputLength], new float[64 * OutputLength + 1], 64, 2));
        Assert.Equal(0, parallel.Forks);
        Assert.Equal(0, source.Samples);
    }

    [Fact]
    public void After_the_first_call_the_calling_thread_allocates_nothing()
    {
        ParallelForward parallel = new StandIn().Parallel(processors: 2);
        float[] input = Inputs(64), output = new float[64 * OutputLength];
        for (int i = 0; i < 200; i++) parallel.Forward(input, output, 64, maxThreads: 2);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) parallel.Forward(input, output, 64, maxThreads: 2);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static float[] Inputs(int batch)
    {
        var random = new Random(batch);
        var input = new float[batch * InputLength];
        for (int i = 0; i < input.Length; i++) input[i] = random.Next(-1000, 1000);
        return input;
    }

    /// <summary>
    /// A pass with scratch of its own, as a generated Int8's arena: each sample goes through it, slowly enough that two
    /// threads sharing one would mix their samples.
    /// </summary>
    private sealed class StandIn
    {
        private readonly float[] scratch = new float[InputLength];

        public List<StandIn> Forks { get; } = [];

        public int ForksMade => Forks.Count;

        public bool FailNext { get; set; }

        public int Running;

        public int Samples;

        public ParallelForward Parallel(int processors, Action<IThreadPoolWorkItem>? queue = null) =>
            new(InputLength, OutputLength, Forward, Fork, processors, queue ?? (item => ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false)));

        private BatchForward Fork()
        {
            var fork = new StandIn();
            Forks.Add(fork);
            return fork.Forward;
        }

        public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
        {
            Interlocked.Increment(ref Running);
            try
            {
                if (FailNext)
                {
                    FailNext = false;
                    throw new InvalidOperationException("a stand-in failure");
                }

                for (int n = 0; n < batch; n++, Samples++)
                {
                    input.Slice(n * InputLength, InputLength).CopyTo(scratch);
                    Thread.SpinWait(50);
                    float sum = 0;
                    foreach (float x in scratch) sum += x;
                    output[n * OutputLength] = sum;
                    output[n * OutputLength + 1] = scratch[0] * 3;
                }
            }
            finally
            {
                Interlocked.Decrement(ref Running);
            }
        }
    }
}
