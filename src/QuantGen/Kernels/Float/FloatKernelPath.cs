using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Float;

/// <summary>The instruction sets the float kernels can run on, narrowest first.</summary>
public enum FloatKernelPath
{
    Scalar,
    Vector128,
    /// <summary>256-bit vectors with fused multiply-add (AVX2 + FMA).</summary>
    Vector256,
    /// <summary>512-bit vectors (AVX-512F).</summary>
    Vector512,
}

/// <summary>Which <see cref="FloatKernelPath"/> the float kernels take on this machine.</summary>
public static class FloatKernelPaths
{
    [ThreadStatic]
    private static FloatKernelPath? forcedPath;

    /// <summary>The widest path this machine runs well.</summary>
    public static FloatKernelPath Best { get; } = Widest();

    /// <summary>The path the kernels take on this thread: <see cref="ForcedPath"/> if set, else <see cref="Best"/>.</summary>
    public static FloatKernelPath Current => forcedPath ?? Best;

    /// <summary>
    /// Makes every float kernel called on this thread take a narrower path, so tests and benchmarks
    /// can cover each path the machine has. Per thread because test classes run in parallel.
    /// </summary>
    internal static FloatKernelPath? ForcedPath
    {
        get => forcedPath;
        set
        {
            if (value is { } path && !IsSupported(path))
            {
                throw new PlatformNotSupportedException($"The {path} float kernel path is not supported on this machine.");
            }
            forcedPath = value;
        }
    }

    public static bool IsSupported(FloatKernelPath path) => path switch
    {
        FloatKernelPath.Scalar => true,
        FloatKernelPath.Vector128 => Vector128.IsHardwareAccelerated,
        FloatKernelPath.Vector256 => Vector256.IsHardwareAccelerated && Fma.IsSupported,
        FloatKernelPath.Vector512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        _ => false,
    };

    private static FloatKernelPath Widest()
    {
        for (var path = FloatKernelPath.Vector512; path > FloatKernelPath.Scalar; path--)
        {
            if (IsSupported(path)) return path;
        }
        return FloatKernelPath.Scalar;
    }
}
