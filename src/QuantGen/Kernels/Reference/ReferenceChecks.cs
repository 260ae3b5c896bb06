using System.Runtime.CompilerServices;

namespace QuantGen.Kernels.Reference;

/// <summary>Argument checks shared by the reference kernels, with messages that name the op and the shape.</summary>
internal static class ReferenceChecks
{
    public static void Length(int actual, long expected, string name, string op, string shape)
    {
        if (actual != expected)
        {
            throw new ShapeMismatchException($"{op}: {name} should be {shape} = {expected} values, but has {actual}.");
        }
    }

    /// <summary>As above, with the shape formatted only on failure (no allocation on the checked path).</summary>
    public static void Length(int actual, long expected, string name, string op,
        [InterpolatedStringHandlerArgument("actual", "expected")] ref ShapeText shape)
    {
        if (actual != expected)
        {
            throw new ShapeMismatchException($"{op}: {name} should be {shape.ToStringAndClear()} = {expected} values, but has {actual}.");
        }
    }

    public static void SameLength(int input, int output, string op)
    {
        if (input != output)
        {
            throw new ShapeMismatchException($"{op}: the output has {output} values for {input} inputs.");
        }
    }

    /// <summary>PyTorch's pooling rules: positive sizes, and padding at most half the kernel so every window holds an input.</summary>
    public static void Pool(in PoolGeometry g, string op)
    {
        if (g.Planes < 0 || g.InHeight <= 0 || g.InWidth <= 0 || g.KernelHeight <= 0 || g.KernelWidth <= 0 ||
            g.StrideHeight <= 0 || g.StrideWidth <= 0 || g.DilationHeight <= 0 || g.DilationWidth <= 0)
        {
            throw new ArgumentException($"{op}: a pooling size is not positive: {g}.", nameof(g));
        }
        if (g.PadHeight < 0 || g.PadWidth < 0 || 2 * g.PadHeight > g.KernelHeight || 2 * g.PadWidth > g.KernelWidth)
        {
            throw new ArgumentException($"{op}: padding must lie in [0, kernel / 2], as PyTorch requires: {g}.", nameof(g));
        }
        if (g.OutHeight <= 0 || g.OutWidth <= 0)
        {
            throw new ShapeMismatchException($"{op}: the window does not fit the {g.InHeight}×{g.InWidth} input: {g}.");
        }
    }
}
