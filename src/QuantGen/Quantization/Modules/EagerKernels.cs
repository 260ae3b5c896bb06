using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;

namespace QuantGen.Quantization;

/// <summary>
/// Which kernels the eager int8 modules run. By default the SIMD kernels of the generated pass, on channels-last
/// activations; with <see cref="Reference"/> the scalar kernels of <c>Kernels/Reference</c> on PyTorch's NCHW order,
/// which define QuantGen's int8 numerics and are the tests' oracle. The bytes are the same either way.
/// </summary>
internal static class EagerKernels
{
    [ThreadStatic]
    private static bool reference;

    /// <summary>Makes the eager int8 modules called on this thread run the reference kernels (per thread: tests run in parallel).</summary>
    public static bool Reference
    {
        get => reference;
        set => reference = value;
    }

    /// <summary>Each byte of <paramref name="input"/> mapped through <paramref name="table"/>, the kernels' way (the order of the bytes does not matter).</summary>
    public static void Lookup(ReadOnlySpan<byte> input, byte[] table, Span<byte> output)
    {
        if (Reference) QLookup.Apply(input, table, output);
        else new Int8Lookup(table).Forward(input, output);
    }
}
