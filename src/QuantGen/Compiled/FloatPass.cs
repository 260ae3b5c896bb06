namespace QuantGen.Compiled;

/// <summary>
/// The constants a generated float (or dynamic) pass gives its base: values in one input and one output sample, the
/// arena's floats per sample, the most samples one pass runs, and the sample shapes as messages show them.
/// </summary>
public sealed record FloatPassLayout(int InputLength, int OutputLength, int ArenaLength, int MaxBatch, string InputShape, string OutputShape);

/// <summary>
/// A generated <c>Float</c> or <c>Dynamic</c> pass: <see cref="CompiledPass{TPass}"/> (its <c>Forward</c> overloads,
/// threads and forks) over an arena of float values in PyTorch's layout (NCHW), each at an offset fixed at compile time.
/// </summary>
/// <remarks><b>Thread safety</b> as <see cref="CompiledPass{TPass}"/>: any number of threads may call <c>Forward</c> at once.</remarks>
/// <typeparam name="TPass">The generated class.</typeparam>
public abstract class FloatPass<TPass> : CompiledPass<TPass> where TPass : FloatPass<TPass>
{
    private readonly float[] arena;
    private readonly int arenaStart;

    protected FloatPass(FloatPassLayout layout)
        : base(Shape(layout)) =>
        // Pinned, from a cache line's start (see Int8Pass).
        arena = Kernels.CacheLines.Allocate<float>(checked(layout.ArenaLength * layout.MaxBatch), out arenaStart);

    /// <summary>The arena values of one value for a pass of <paramref name="n"/> samples, at its per-sample offset and length.</summary>
    protected Span<float> Values(int offset, int length, int n) => new(arena, arenaStart + offset * n, length * n);

    private static PassShape Shape(FloatPassLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return new(layout.InputLength, layout.OutputLength, layout.MaxBatch, layout.InputShape, layout.OutputShape);
    }
}
