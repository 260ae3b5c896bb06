namespace QuantGen.Compiled;

/// <summary>
/// What every generated pass tells its base: values in one input and one output sample, the most samples one pass
/// runs, and the sample shapes as messages show them.
/// </summary>
public sealed record PassShape(int InputLength, int OutputLength, int MaxBatch, string InputShape, string OutputShape);

/// <summary>
/// What every generated pass (<see cref="Int8Pass{TPass}"/>, <see cref="FloatPass{TPass}"/>) has in common, as the
/// Regex generator's code derives from <c>Regex</c>: the <c>Forward</c> overloads with their checks, passes of up to
/// <see cref="PassShape.MaxBatch"/> samples, <see cref="Fork"/>, <see cref="Reserve"/> and <see cref="MaxThreads"/>.
/// The pass kinds add their arena; the generated class adds what differs per model: its layers, their arena offsets
/// and <see cref="Run"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Thread safety.</b> <c>Forward</c> may be called on one instance from any number of threads at once, as ONNX
/// Runtime's <c>InferenceSession.Run</c> may: each call gives the bytes a call alone would. A call runs on a worker of
/// its own — the instance itself, or a fork made the first time that many calls overlapped and kept for the calls after
/// — so memory grows to one fork per call that ever ran at the same time as others (each costs what <see cref="Fork"/>
/// says), and in steady state a call allocates nothing. <see cref="MaxThreads"/> composes with it: each call splits its
/// own batch over forks of its own worker, never waits for a slice no thread has started, and so never deadlocks.
/// <see cref="Fork"/> remains for a caller who wants an instance to itself.
/// </para>
/// </remarks>
/// <typeparam name="TPass">The generated class.</typeparam>
public abstract class CompiledPass<TPass> where TPass : CompiledPass<TPass>
{
    private readonly PassShape layout;
    private int maxThreads = 1;
    private ParallelForward? parallel; // this worker and its forks, made when a call of this worker first splits a batch

    // The workers free to take a call: this instance to begin with, then the forks that overlapping calls made.
    private readonly WorkerPool<CompiledPass<TPass>> workers;

    private protected CompiledPass(PassShape layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        this.layout = layout;
        workers = new(this);
    }

    /// <summary>
    /// The most threads a batched <c>Forward</c> runs on: 1 by default, the calling thread alone. Above 1, a batch of two or
    /// more samples is split into contiguous slices, one per thread, at most <c>Environment.ProcessorCount</c> of them:
    /// the calling thread runs the first on the call's worker, thread-pool threads the others on forks of that worker,
    /// made when first needed and kept (each costs what <see cref="Fork"/> says). The bytes equal the one-thread run's.
    /// A call reads it once, when it starts.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public int MaxThreads
    {
        get => maxThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            maxThreads = value;
        }
    }

    /// <summary>
    /// Another instance over this one's packed weights, for another thread: the weights are shared, not copied. It costs
    /// its own arena (the generated class's summary says how many bytes), and the scratch its layers keep per instance
    /// (im2col rows, row sums, a quantized input) for a pass of samples. Its <see cref="MaxThreads"/> is 1.
    /// </summary>
    public TPass Fork() => CreateFork();

    /// <summary>
    /// Makes now what <paramref name="concurrentCalls"/> calls at once need — a worker each, with the forks its batches
    /// split over at the current <see cref="MaxThreads"/> — so that no later call pays for making one (a service calls it
    /// at start with the most requests it runs at once). Calls beyond that many still work; they make their own.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="concurrentCalls"/> is below 1.</exception>
    public void Reserve(int concurrentCalls)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrentCalls, 1);
        int threads = maxThreads;
        var taken = new List<CompiledPass<TPass>>(concurrentCalls);
        try
        {
            for (int i = 0; i < concurrentCalls; i++)
            {
                CompiledPass<TPass> worker = Rent();
                taken.Add(worker);
                if (threads > 1) worker.SplitterFor().Reserve(threads);
            }
        }
        finally
        {
            foreach (CompiledPass<TPass> worker in taken) Return(worker);
        }
    }

    /// <summary>Workers made for overlapping calls so far: the forks beyond this instance (not counting the slices' forks).</summary>
    public int ConcurrentWorkers => workers.Workers - 1;

    /// <summary>One sample: <paramref name="input"/> float → <paramref name="output"/> float. Allocates nothing.</summary>
    /// <exception cref="ArgumentException">A span's length is not one input or output sample's.</exception>
    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length != layout.InputLength)
        {
            throw new ArgumentException($"The input must hold InputLength = {layout.InputLength} values ({layout.InputShape}), but holds {input.Length}.", nameof(input));
        }

        if (output.Length != layout.OutputLength)
        {
            throw new ArgumentException($"The output must hold OutputLength = {layout.OutputLength} values ({layout.OutputShape}), but holds {output.Length}.", nameof(output));
        }

        OnAWorker(input, output, 1);
    }

    /// <summary>
    /// <paramref name="batch"/> samples, in passes of up to <see cref="PassShape.MaxBatch"/>: input [batch, …input
    /// shape] → output [batch, …output shape]. On the calling thread, or split over up to <see cref="MaxThreads"/>
    /// threads; the same bytes either way. Allocates nothing (but the forks, the first time a batch is split).
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not <paramref name="batch"/> samples.</exception>
    /// <exception cref="AggregateException">A slice run on another thread threw (an inner exception); this instance stays usable.</exception>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (input.Length != (long)batch * layout.InputLength)
        {
            throw new ArgumentException($"The input must hold {batch} × InputLength = {(long)batch * layout.InputLength} values, but holds {input.Length}.", nameof(input));
        }

        if (output.Length != (long)batch * layout.OutputLength)
        {
            throw new ArgumentException($"The output must hold {batch} × OutputLength = {(long)batch * layout.OutputLength} values, but holds {output.Length}.", nameof(output));
        }

        OnAWorker(input, output, batch);
    }

    /// <summary>A fork of this pass: the generated class's copy constructor, sharing the packed weights.</summary>
    protected abstract TPass CreateFork();

    /// <summary>One pass of <paramref name="n"/> samples (at most <see cref="PassShape.MaxBatch"/>): every step runs them all at once.</summary>
    protected abstract void Run(ReadOnlySpan<float> input, Span<float> output, int n);

    /// <summary>A checked call's samples on a worker no other call holds, given back after.</summary>
    private void OnAWorker(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        int threads = maxThreads;
        CompiledPass<TPass> worker = Rent();
        try
        {
            worker.RunBatch(input, output, batch, threads);
        }
        finally
        {
            Return(worker);
        }
    }

    /// <summary>A batch on this worker, which the calling thread holds: on this thread, or split over forks of this worker.</summary>
    private void RunBatch(ReadOnlySpan<float> input, Span<float> output, int batch, int threads)
    {
        if (threads == 1 || batch < 2)
        {
            Passes(input, output, batch);
            return;
        }

        SplitterFor().Forward(input, output, batch, threads);
    }

    /// <summary>This worker's splitter of batches, made on first use.</summary>
    private ParallelForward SplitterFor() =>
        parallel ??= new(layout.InputLength, layout.OutputLength, Passes, () => ((CompiledPass<TPass>)Fork()).Passes);

    /// <summary>A worker no other call holds: an idle one, else a new fork (the first time this many calls overlap).</summary>
    private CompiledPass<TPass> Rent()
    {
        if (workers.TryTake(out CompiledPass<TPass>? idle)) return idle;
        workers.Made();
        return Fork();
    }

    private void Return(CompiledPass<TPass> worker) => workers.Give(worker);

    /// <summary><paramref name="batch"/> samples on this thread, in passes of up to <see cref="PassShape.MaxBatch"/>.</summary>
    private void Passes(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        for (int start = 0; start < batch; start += layout.MaxBatch)
        {
            int n = Math.Min(layout.MaxBatch, batch - start);
            Run(input.Slice(start * layout.InputLength, n * layout.InputLength), output.Slice(start * layout.OutputLength, n * layout.OutputLength), n);
        }
    }
}
