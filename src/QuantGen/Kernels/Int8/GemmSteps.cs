using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>How a GEMM path packs K: each 32-bit weight slot holds one step of K for one output column.</summary>
internal enum StepKind
{
    /// <summary>Four s8 weights a slot; the activation broadcast is four u8 bytes (VNNI, <c>vpmaddubsw</c>).</summary>
    Quad,

    /// <summary>Two weights widened to int16; the broadcast is two u8 bytes zero-extended to int16 (<c>vpmaddwd</c>).</summary>
    Pair,

    /// <summary>One weight widened to int32; the broadcast is one byte (portable 32-bit multiply).</summary>
    Single,
}

/// <summary>
/// One step of the GEMM's K loop: what a 32-bit broadcast of the activations holds, and how it meets a packed
/// weight vector. Paths are structs, so the JIT compiles each kernel once per step with the calls inlined.
/// </summary>
internal interface IStep
{
    static abstract StepKind Kind { get; }
}

internal interface IDot128 : IStep
{
    static abstract Vector128<int> Dot(Vector128<int> acc, Vector128<int> x, Vector128<int> w);
}

/// <summary>
/// Steps whose products meet in int16 before they are widened (<see cref="MaddubsQuad"/>) can take two K steps into one
/// widening when the packing allows it (<see cref="StepPairing"/>): tiles run <see cref="IDot256.DotTwo"/> on a layer's
/// first <c>pairedSteps</c> steps when <see cref="IPairableStep.PairsSteps"/>, a JIT-time constant.
/// </summary>
internal interface IPairableStep : IStep
{
    static abstract bool PairsSteps { get; }
}

internal interface IDot256 : IPairableStep
{
    static abstract Vector256<int> Dot(Vector256<int> acc, Vector256<int> x, Vector256<int> w);

    /// <summary>Steps s and s + 1 (activations <paramref name="x0"/>, <paramref name="x1"/>; weights <paramref name="w0"/>, <paramref name="w1"/>) into <paramref name="acc"/>.</summary>
    static abstract Vector256<int> DotTwo(Vector256<int> acc, Vector256<int> x0, Vector256<int> w0, Vector256<int> x1, Vector256<int> w1);
}

internal interface IDot512 : IPairableStep
{
    static abstract Vector512<int> Dot(Vector512<int> acc, Vector512<int> x, Vector512<int> w);

    /// <inheritdoc cref="IDot256.DotTwo"/>
    static abstract Vector512<int> DotTwo(Vector512<int> acc, Vector512<int> x0, Vector512<int> w0, Vector512<int> x1, Vector512<int> w1);
}

internal static unsafe class Steps
{
    /// <summary>Activations a step takes from each row (and weights from each column).</summary>
    public static int Size(StepKind kind) => kind switch
    {
        StepKind.Quad => 4,
        StepKind.Pair => 2,
        _ => 1,
    };

    /// <summary>Bytes a step broadcasts from each row of A as the GEMM tiles read it: one 32-bit lane.</summary>
    public const int LaneBytes = 4;

    /// <summary>
    /// Bytes each activation takes in the rows the GEMM tiles read: a byte for <see cref="StepKind.Quad"/>; an int16 or
    /// int32 for the others, into which <see cref="GemmDriver{TTile, TExact}"/> widens A once per row block, so that each step's
    /// broadcast is one load instead of byte loads, shifts and a move into a vector register.
    /// </summary>
    public static int ActivationBytes(StepKind kind) => LaneBytes / Size(kind);

    /// <summary>The lane a step broadcasts from <paramref name="a"/> (rows are not aligned).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Lane(byte* a) => Unsafe.ReadUnaligned<int>(a);
}

/// <summary><c>VPDPBUSD</c>: acc += Σ₄ u8·s8, exact (products and their sum fit int32; the add wraps).</summary>
internal readonly unsafe struct VnniQuad : IDot256
{
    public static StepKind Kind => StepKind.Quad;

    public static bool PairsSteps => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Dot(Vector256<int> acc, Vector256<int> x, Vector256<int> w) =>
        AvxVnni.MultiplyWideningAndAdd(acc, x.AsByte(), w.AsSByte());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> DotTwo(Vector256<int> acc, Vector256<int> x0, Vector256<int> w0, Vector256<int> x1, Vector256<int> w1) =>
        Dot(Dot(acc, x0, w0), x1, w1);
}

/// <summary>
/// <c>vpmaddubsw</c> then <c>vpmaddwd</c> by ones: the pair sums saturate at ±32767, so this is exact only for
/// activations ≤ 127 (|2·127·(−128)| = 32512). <see cref="GemmDriver{TTile, TExact}"/> runs it on row blocks
/// whose bytes it has checked, or whose input range says so.
/// </summary>
internal readonly unsafe struct MaddubsQuad : IDot256, IDot512
{
    public static StepKind Kind => StepKind.Quad;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Dot(Vector256<int> acc, Vector256<int> x, Vector256<int> w) =>
        acc + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x.AsByte(), w.AsSByte()), Vector256<short>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Dot(Vector512<int> acc, Vector512<int> x, Vector512<int> w) =>
        acc + Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x.AsByte(), w.AsSByte()), Vector512<short>.One);

    public static bool PairsSteps => true;

    /// <summary>Both steps' pair sums added in int16 (<c>vpaddw</c>, wrapping: exact within <see cref="StepPairing"/>'s bound), then one <c>vpmaddwd</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> DotTwo(Vector256<int> acc, Vector256<int> x0, Vector256<int> w0, Vector256<int> x1, Vector256<int> w1) =>
        acc + Avx2.MultiplyAddAdjacent(
            Avx2.MultiplyAddAdjacent(x0.AsByte(), w0.AsSByte()) + Avx2.MultiplyAddAdjacent(x1.AsByte(), w1.AsSByte()), Vector256<short>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> DotTwo(Vector512<int> acc, Vector512<int> x0, Vector512<int> w0, Vector512<int> x1, Vector512<int> w1) =>
        acc + Avx512BW.MultiplyAddAdjacent(
            Avx512BW.MultiplyAddAdjacent(x0.AsByte(), w0.AsSByte()) + Avx512BW.MultiplyAddAdjacent(x1.AsByte(), w1.AsSByte()), Vector512<short>.One);
}

/// <summary><c>vpmaddwd</c> on operands widened to int16: two products (≤ 255·128 each) summed into int32, always exact.</summary>
internal readonly unsafe struct WidePair : IDot256, IDot512
{
    public static StepKind Kind => StepKind.Pair;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Dot(Vector256<int> acc, Vector256<int> x, Vector256<int> w) =>
        acc + Avx2.MultiplyAddAdjacent(x.AsInt16(), w.AsInt16());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Dot(Vector512<int> acc, Vector512<int> x, Vector512<int> w) =>
        acc + Avx512BW.MultiplyAddAdjacent(x.AsInt16(), w.AsInt16());

    public static bool PairsSteps => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> DotTwo(Vector256<int> acc, Vector256<int> x0, Vector256<int> w0, Vector256<int> x1, Vector256<int> w1) =>
        Dot(Dot(acc, x0, w0), x1, w1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> DotTwo(Vector512<int> acc, Vector512<int> x0, Vector512<int> w0, Vector512<int> x1, Vector512<int> w1) =>
        Dot(Dot(acc, x0, w0), x1, w1);
}

/// <summary>Portable: one int32 product a lane (wrapping multiply and add), on any hardware with 128-bit vectors.</summary>
internal readonly unsafe struct PortableSingle : IDot128
{
    public static StepKind Kind => StepKind.Single;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Dot(Vector128<int> acc, Vector128<int> x, Vector128<int> w) => acc + x * w;
}
