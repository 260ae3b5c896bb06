using QuantGen.Kernels.Float;

namespace QuantGen.Compiled;

/// <summary>
/// <c>Functional.Mean</c> (or <c>x.Mean(dim)</c>) in a generated float or dynamic pass: each sample viewed as
/// [outer, size, inner] around the axis, in PyTorch's summation order (<see cref="ReductionKernels"/>). Stateless:
/// shared by every fork and thread.
/// </summary>
public sealed class CompiledFloatMean
{
    private readonly int size, inner;

    private CompiledFloatMean(int size, int inner) => (this.size, this.inner) = (size, inner);

    /// <summary>The mean over <paramref name="size"/> values <paramref name="inner"/> apart (a functional call has no layer to check).</summary>
    public static CompiledFloatMean Create(int size, int inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inner);
        return new CompiledFloatMean(size, inner);
    }

    public CompiledFloatMean Fork() => this;

    /// <summary>Any number of samples: the axis lies inside each, so consecutive samples are consecutive blocks of [size, inner].</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output) =>
        ReductionKernels.Mean(input, input.Length / (size * inner), size, inner, output);
}
