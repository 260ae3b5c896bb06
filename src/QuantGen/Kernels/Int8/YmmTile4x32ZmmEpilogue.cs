using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// <see cref="YmmTile4x32{TStep}"/>'s K loop with its rows requantized on zmm (<see cref="PanelRequantizer.BytesOnZmm"/>):
/// for GEMMs of few K steps (<see cref="QGemm.ZmmEpilogueSteps"/>), whose requantize is as much work as their dot products.
/// </summary>
/// <remarks>
/// A zmm instruction puts Golden Cove in its 512-bit mode, in which port 1 takes no vector work; <c>vpdpbusd</c> on ymm
/// still issues two a cycle there (on ports 0 and 5), and a zmm requantize takes half the instructions of the ymm one.
/// What costs is leaving the mode and entering it again: with more than about 100 dot products between one tile's
/// requantize and the next, each tile paid some 200 cycles (Sapphire Rapids: the 224×224 expansions with K = 64 took
/// 1.7× their time). With few steps the requantizes come often enough that the core stays in the mode.
/// </remarks>
internal readonly unsafe struct YmmTile4x32ZmmEpilogue<TStep> : IGemmTile
    where TStep : struct, IDot256
{
    public static int Width => YmmTile4x32<TStep>.Width;

    public static StepKind Kind => TStep.Kind;

    /// <summary>Whether this machine has AVX-512VL for the tile and AVX-512BW for the requantize's packs.</summary>
    public static bool IsSupported => YmmTile4x32<TStep>.IsSupported && Avx512BW.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Four(byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* offsets, int* sums) =>
        YmmTile4x32<TStep>.Four(a, stride, panel, steps, pairedSteps, offsets, sums);

    public static bool HasHalfPanels => YmmTile4x32<TStep>.HasHalfPanels;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FourHalf(byte* a, nint stride, byte* panel, int steps, int pairedSteps, int* offsets, int* sums) =>
        YmmTile4x32<TStep>.FourHalf(a, stride, panel, steps, pairedSteps, offsets, sums);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void One(byte* a, byte* panel, int steps, int pairedSteps, int* offsets, int* sums) =>
        YmmTile4x32<TStep>.One(a, panel, steps, pairedSteps, offsets, sums);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TForm>(in PanelRequantizer requantizer, int* sums, int rowSum, byte* y)
        where TForm : struct, IRequantizeForm =>
        requantizer.BytesOnZmm<TForm>(sums, rowSum).Store(y);

    /// <summary>
    /// In the 512-bit mode every vector instruction takes port 0 or 5, as the <c>vpdpbusd</c>s do, so the packs and the
    /// permute count as much as the arithmetic: a row packed with itself took three of its nine; two rows packed together
    /// take four of eighteen. The 224×224 expansions with K = 16, 24 and 32 took 0.97, 0.99 and 0.98 of their time on
    /// Sapphire Rapids (<c>--compare-layer-builds</c> against this tile with the two-row store switched off,
    /// both orders: bench/RESULTS.md).
    /// </summary>
    public static bool StoresTwoRows => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTwoRows<TForm>(in PanelRequantizer requantizer, int* sums, int rowSum0, int rowSum1, byte* y0, byte* y1)
        where TForm : struct, IRequantizeForm
    {
        Vector512<byte> bytes = requantizer.TwoRowsOnZmm<TForm>(sums, rowSum0, rowSum1);
        bytes.GetLower().Store(y0);
        bytes.GetUpper().Store(y1);
    }
}
