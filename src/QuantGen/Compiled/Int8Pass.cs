namespace QuantGen.Compiled;

/// <summary>
/// The constants a generated int8 pass gives its base: values in one input and one output sample, the arena's bytes
/// per sample and the most samples one pass runs, the float islands' scratch per sample, the sample shapes as
/// messages show them, and the bytes after the batch's of the steps that run one sample at a time (0 where every step
/// runs the whole batch).
/// </summary>
public sealed record Int8PassLayout(int InputLength, int OutputLength, int ArenaLength, int MaxBatch, int ScratchLength, string InputShape, string OutputShape, int HeadLength = 0);

/// <summary>
/// A generated <c>Int8</c> pass: <see cref="CompiledPass{TPass}"/> (its <c>Forward</c> overloads, threads and forks)
/// over an arena of quint8 bytes, plus the float scratch its float islands borrow.
/// </summary>
/// <remarks><b>Thread safety</b> as <see cref="CompiledPass{TPass}"/>: any number of threads may call <c>Forward</c> at once.</remarks>
/// <typeparam name="TPass">The generated class.</typeparam>
public abstract class Int8Pass<TPass> : CompiledPass<TPass> where TPass : Int8Pass<TPass>
{
    private readonly byte[] arena;
    private readonly int arenaStart;
    private readonly float[] scratch;

    protected Int8Pass(Int8PassLayout layout)
        : base(Shape(layout))
    {
        // Pinned, from a cache line's start: the generator aligns each value's slot to 64 bytes from here.
        arena = Kernels.CacheLines.Allocate<byte>(checked(layout.ArenaLength * layout.MaxBatch + layout.HeadLength), out arenaStart);
        scratch = layout.ScratchLength > 0 ? new float[checked(layout.ScratchLength * layout.MaxBatch)] : [];
    }

    /// <summary>The arena bytes of one value for a pass of <paramref name="n"/> samples, at its per-sample offset and length.</summary>
    protected Span<byte> Bytes(int offset, int length, int n) => new(arena, arenaStart + offset * n, length * n);

    /// <summary>
    /// The float values a layer kept in float (<c>[KeepFloat]</c>) wrote into its value's slot, after the bytes, at their
    /// per-sample offset and length in floats, for a pass of <paramref name="n"/> samples.
    /// </summary>
    protected Span<float> Floats(int offset, int length, int n) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Bytes(offset, 4 * length, n));

    /// <summary>The float islands' scratch: their dequantized input and float output.</summary>
    protected Span<float> Scratch => scratch;

    private static PassShape Shape(Int8PassLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return new(layout.InputLength, layout.OutputLength, layout.MaxBatch, layout.InputShape, layout.OutputShape);
    }
}
