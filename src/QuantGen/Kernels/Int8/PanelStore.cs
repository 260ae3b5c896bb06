using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// Stores one row of a 32-column panel's bytes on AVX-512VL machines: whole panels with a plain store, the last,
/// narrower one with a masked <c>vmovdqu8</c>, which writes (and faults on) no byte outside the mask.
/// </summary>
internal static unsafe class PanelStore
{
    public const int Width = 32;

    /// <summary>The first <paramref name="columns"/> bytes set; loop-invariant in a panel, so the kernels compute it once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Mask(int columns) =>
        Vector256.LessThan(Vector256<byte>.Indices, Vector256.Create((byte)columns));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Vector256<byte> bytes, byte* y, int columns, Vector256<byte> mask)
    {
        if (columns == Width) bytes.Store(y);
        else Avx512BW.VL.MaskStore(y, mask, bytes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Vector256<byte> bytes, byte* y, int columns)
    {
        if (columns == Width) bytes.Store(y);
        else Avx512BW.VL.MaskStore(y, Mask(columns), bytes);
    }
}
