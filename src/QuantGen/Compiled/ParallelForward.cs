namespace QuantGen.Compiled;

/// <summary>Runs <paramref name="batch"/> whole samples of a generated int8 pass on the calling thread.</summary>
public delegate void BatchForward(ReadOnlySpan<float> input, Span<float> output, int batch);

/// <summary>
/// A batch of a generated int8 pass split into contiguous slices that run at once: the first on the calling thread
/// with the pass that owns this object, each other on a thread-pool thread with a fork of it, made when first needed
/// and kept. Samples are independent, so the bytes equal a one-thread run's. The caller's spans are pinned here, so
/// that generated code needs no <c>unsafe</c>. Nothing is allocated per call once the forks exist; one call at a time.
/// </summary>
/// <remarks>
/// On a busy machine the pool can be slow to start a slice: one that no pool thread has claimed by the time the
/// calling thread has finished its own runs on the calling thread instead, so a pool slow to start costs little more
/// than the one-thread run (a pool thread preempted mid-slice is still waited for).
/// </remarks>
public sealed unsafe class ParallelForward
{
    private static readonly Action<IThreadPoolWorkItem> ThreadPoolQueue = item => ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false);

    private readonly int inputLength, outputLength, processors;
    private readonly BatchForward local;
    private readonly Func<BatchForward> fork;
    private readonly Action<IThreadPoolWorkItem> queue;
    private readonly List<Slice> workers = [];

    /// <param name="inputLength">Values in one input sample.</param>
    /// <param name="outputLength">Values in one output sample.</param>
    /// <param name="local">The owner's one-thread pass, run on the calling thread.</param>
    /// <param name="fork">Makes another pass over the same weights, for another thread (a generated <c>Fork</c>).</param>
    public ParallelForward(int inputLength, int outputLength, BatchForward local, Func<BatchForward> fork)
        : this(inputLength, outputLength, local, fork, Environment.ProcessorCount, ThreadPoolQueue)
    {
    }

    // processors: the most slices a batch is split into, whatever the caller asks for; queue: how a slice reaches
    // another thread. Tests pass more processors than this machine has, and queues that run or drop the slices.
    internal ParallelForward(
        int inputLength, int outputLength, BatchForward local, Func<BatchForward> fork, int processors, Action<IThreadPoolWorkItem> queue)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputLength);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(fork);
        (this.inputLength, this.outputLength, this.local, this.fork, this.processors, this.queue) =
            (inputLength, outputLength, local, fork, processors, queue);
    }

    /// <summary>Forks made so far: one per slice beyond the first of the widest batch run.</summary>
    public int Forks => workers.Count;

    /// <summary>Makes now the forks a batch split over <paramref name="maxThreads"/> threads needs, so that no call makes one.</summary>
    public void Reserve(int maxThreads) => EnsureSlices(SlicesFor(int.MaxValue, maxThreads));

    /// <summary>A fork for every slice but the first of <paramref name="slices"/>; the ones made before are kept.</summary>
    private void EnsureSlices(int slices)
    {
        while (workers.Count < slices - 1) workers.Add(new Slice(fork(), inputLength, outputLength));
    }

    /// <summary>Slices for <paramref name="batch"/> samples: at most <paramref name="maxThreads"/>, the processors and the samples.</summary>
    public int SlicesFor(int batch, int maxThreads) => Math.Max(1, Math.Min(Math.Min(batch, maxThreads), processors));

    /// <summary>
    /// <paramref name="batch"/> samples in <see cref="SlicesFor"/> contiguous slices (sizes differ by at most one),
    /// run at once; returns when all have finished.
    /// </summary>
    /// <exception cref="ArgumentException">A span does not hold <paramref name="batch"/> samples.</exception>
    /// <exception cref="AggregateException">A slice threw (its exception is an inner one); this object stays usable.</exception>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, int maxThreads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (input.Length != (long)batch * inputLength) throw new ArgumentException($"The input holds {input.Length} values, not {batch} samples of {inputLength}.", nameof(input));
        if (output.Length != (long)batch * outputLength) throw new ArgumentException($"The output holds {output.Length} values, not {batch} samples of {outputLength}.", nameof(output));

        int slices = SlicesFor(batch, maxThreads);
        if (slices == 1)
        {
            local(input, output, batch);
            return;
        }

        EnsureSlices(slices);
        int started = 0;
        List<Exception>? failures = null;
        fixed (float* x = input, y = output)
        {
            try
            {
                for (; started < slices - 1; started++)
                {
                    (int start, int count) = Range(batch, slices, started + 1);
                    workers[started].Start(x + (long)start * inputLength, y + (long)start * outputLength, count, queue);
                }

                int first = Range(batch, slices, 0).Count;
                local(input.Slice(0, first * inputLength), output.Slice(0, first * outputLength), first);
            }
            catch (Exception e)
            {
                (failures ??= []).Add(e);
            }

            // A slice no pool thread has claimed yet runs here (or, after a failure, not at all); the others are waited
            // for, as they write through pointers into the caller's spans, which are unpinned on leaving this block.
            for (int i = 0; i < started; i++)
            {
                Slice slice = workers[i];
                if (!slice.TryClaim())
                {
                    slice.Wait();
                    if (slice.Failure is { } failure) (failures ??= []).Add(failure);
                    continue;
                }

                try
                {
                    if (failures is null) slice.Run(local);
                }
                catch (Exception e)
                {
                    (failures ??= []).Add(e);
                }
            }
        }

        if (failures is not null)
        {
            throw new AggregateException($"{failures.Count} slice(s) of a batch split over threads failed; the pass stays usable.", failures);
        }
    }

    /// <summary>Slice <paramref name="index"/> of <paramref name="slices"/> over <paramref name="batch"/> samples: the first ones get the samples left over.</summary>
    internal static (int Start, int Count) Range(int batch, int slices, int index)
    {
        int size = batch / slices, extra = batch % slices;
        return (index * size + Math.Min(index, extra), size + (index < extra ? 1 : 0));
    }

    /// <summary>
    /// One slice and the fork that runs it on a pool thread: the same work item each call, so queuing it allocates
    /// nothing. Whoever claims it first runs it, the pool thread or the caller; a queued item that finds it claimed
    /// does nothing, and one still waiting in the pool's queue serves the next call rather than a second copy.
    /// </summary>
    private sealed class Slice(BatchForward fork, int inputLength, int outputLength) : IThreadPoolWorkItem
    {
        // Finished, and what a caller waits on: a monitor, which allocates nothing however late its first wait comes
        // (a ManualResetEventSlim makes its lock object then, on the caller's thread).
        private readonly object doneGate = new();
        private bool done = true;
        private float* input, output;
        private int count, claimed = 1, queued;

        /// <summary>What the pool thread's run threw, if anything.</summary>
        public Exception? Failure { get; private set; }

        /// <summary>Queues a run over <paramref name="count"/> samples at pinned <paramref name="input"/> and <paramref name="output"/>.</summary>
        public void Start(float* input, float* output, int count, Action<IThreadPoolWorkItem> queue)
        {
            this.input = input;
            this.output = output;
            this.count = count;
            Failure = null;
            Volatile.Write(ref done, false);
            Volatile.Write(ref claimed, 0);   // after the fields: a pool thread that claims the slice sees them
            if (Interlocked.Exchange(ref queued, 1) == 0) queue(this);
        }

        public bool TryClaim() => Interlocked.Exchange(ref claimed, 1) == 0;

        public void Run(BatchForward pass) =>
            pass(new ReadOnlySpan<float>(input, count * inputLength), new Span<float>(output, count * outputLength), count);

        /// <summary>Until the pool thread that claimed the slice has run it.</summary>
        public void Wait()
        {
            if (Volatile.Read(ref done)) return;
            lock (doneGate)
            {
                while (!done) Monitor.Wait(doneGate);
            }
        }

        void IThreadPoolWorkItem.Execute()
        {
            Volatile.Write(ref queued, 0);   // before claiming: a Start from now on queues the item again
            if (!TryClaim()) return;
            try
            {
                Run(fork);
            }
            catch (Exception e)
            {
                Failure = e;
            }
            finally
            {
                lock (doneGate)
                {
                    done = true;
                    Monitor.PulseAll(doneGate);
                }
            }
        }
    }
}
