using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The instruction sets the int8 kernels can run on. Every path gives the same bytes as the reference kernels in
/// <c>Kernels/Reference</c>; they differ only in how the u8×s8 products reach an int32 accumulator.
/// </summary>
/// <remarks>
/// .NET 10 exposes <c>VPDPBUSD</c> only at 128 and 256 bits (<see cref="AvxVnni"/>); there is no 512-bit u8×s8
/// dot product in <c>System.Runtime.Intrinsics</c> yet (<c>AvxVnniInt8.V512</c> is signed×signed and unsigned×unsigned),
/// so the 512-bit path uses AVX-512BW's <c>vpmaddubsw</c>/<c>vpmaddwd</c>.
/// </remarks>
public enum Int8KernelPath
{
    /// <summary>Plain C#: the reference arithmetic on the packed weights.</summary>
    Scalar,

    /// <summary>Portable <see cref="Vector128{T}"/>: int32 lanes, one 32-bit multiply per product.</summary>
    Vector128,

    /// <summary>
    /// 256-bit AVX2. Activations that are at most 127 use <c>vpmaddubsw</c> (u8×s8 pairs summed to int16, which
    /// saturates only when a pair sum exceeds ±32767: 2·127·128 = 32512 cannot) then <c>vpmaddwd</c> by ones; any
    /// other input widens both operands to int16 and uses <c>vpmaddwd</c> alone (pairs summed to int32, always exact).
    /// </summary>
    Avx2,

    /// <summary>512-bit AVX-512BW, with the same rule as <see cref="Avx2"/>.</summary>
    Avx512BW,

    /// <summary>256-bit AVX-VNNI <c>VPDPBUSD</c>: four u8×s8 products summed into int32 without saturation, for any input.</summary>
    AvxVnni,
}

/// <summary>Which <see cref="Int8KernelPath"/> the int8 kernels take on this machine.</summary>
public static class Int8KernelPaths
{
    [ThreadStatic]
    private static Int8KernelPath? forcedPath;

    /// <summary>The fastest path this machine has (measured on Sapphire Rapids: VNNI, then AVX-512BW, then AVX2).</summary>
    public static Int8KernelPath Best { get; } = Fastest();

    /// <summary>The path layers built on this thread take: <see cref="ForcedPath"/> if set, else <see cref="Best"/>.</summary>
    public static Int8KernelPath Current => forcedPath ?? Best;

    /// <summary>
    /// Makes the int8 layers built on this thread take a narrower path, so tests and benchmarks can cover every path
    /// the machine has. Per thread because test classes run in parallel; a layer keeps the path it was built with.
    /// </summary>
    internal static Int8KernelPath? ForcedPath
    {
        get => forcedPath;
        set
        {
            if (value is { } path && !IsSupported(path))
            {
                throw new PlatformNotSupportedException($"The {path} int8 kernel path is not supported on this machine.");
            }
            forcedPath = value;
        }
    }

    public static bool IsSupported(Int8KernelPath path) => path switch
    {
        Int8KernelPath.Scalar => true,
        Int8KernelPath.Vector128 => Vector128.IsHardwareAccelerated,
        Int8KernelPath.Avx2 => Avx2.IsSupported,
        Int8KernelPath.Avx512BW => Avx512BW.IsSupported && Vector512.IsHardwareAccelerated,
        Int8KernelPath.AvxVnni => AvxVnni.IsSupported,
        _ => false,
    };

    /// <summary>
    /// Whether the elementwise kernels (the residual add, the input quantize) take zmm on <paramref name="path"/>: the
    /// AVX-512BW path, and AVX-VNNI's where the machine has AVX-512BW as well (Sapphire Rapids, not Alder Lake).
    /// </summary>
    internal static bool TakesZmm(Int8KernelPath path) => path is Int8KernelPath.Avx512BW or Int8KernelPath.AvxVnni && Avx512BW.IsSupported;

    private static Int8KernelPath Fastest()
    {
        foreach (var path in (ReadOnlySpan<Int8KernelPath>)[Int8KernelPath.AvxVnni, Int8KernelPath.Avx512BW, Int8KernelPath.Avx2, Int8KernelPath.Vector128])
        {
            if (IsSupported(path)) return path;
        }
        return Int8KernelPath.Scalar;
    }
}
