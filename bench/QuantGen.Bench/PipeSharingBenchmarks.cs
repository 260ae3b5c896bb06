using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;

namespace QuantGen.Bench;

/// <summary>
/// Which vector instructions the int8 kernels' dot products share their pipes with: register-only loops of twelve
/// independent chains, six of one instruction and six of another, timed per instruction. A pair that runs no faster
/// than either instruction alone competes for the same pipes; a pair that runs faster has pipes to spare. The
/// <c>scalar add chain</c> row takes one cycle an operation, the clock to read the others against. AVX2 only.
/// </summary>
/// <remarks>
/// On Zen 3 this explains why MobileNetV2's small-K expansions stay epilogue-bound: a requantize's convert, multiply
/// and convert back take the same pipes as <c>vpmaddubsw</c> and <c>vpmaddwd</c> (see <c>bench/RESULTS.md</c>).
/// </remarks>
public class PipeSharingBenchmarks
{
    private const int Iterations = 1 << 18, Chains = 12;

    /// <summary>Each row's name (mnemonics without the leading <c>v</c>) and its loop: the instruction pairs, and the clock row.</summary>
    private static readonly (string Name, Func<int, long> Loop)[] Rows =
    [
        ("scalar add chain", seed => AddChain(seed)),
        ("maddubsw", Run<Maddubs, Maddubs>),
        ("maddwd", Run<Maddwd, Maddwd>),
        ("cvtdq2ps", Run<IntToFloat, IntToFloat>),
        ("mulps", Run<FloatMultiply, FloatMultiply>),
        ("permd", Run<Permute, Permute>),
        ("maddubsw+maddwd", Run<Maddubs, Maddwd>),
        ("maddubsw+cvtdq2ps", Run<Maddubs, IntToFloat>),
        ("maddubsw+cvtps2dq", Run<Maddubs, FloatToInt>),
        ("maddubsw+mulps", Run<Maddubs, FloatMultiply>),
        ("maddubsw+addps", Run<Maddubs, FloatAdd>),
        ("maddubsw+paddsw", Run<Maddubs, SaturatingAdd>),
        ("maddubsw+paddd", Run<Maddubs, IntAdd>),
        ("maddubsw+packssdw", Run<Maddubs, Pack>),
        ("mulps+cvtdq2ps", Run<FloatMultiply, IntToFloat>),
    ];

    public static IEnumerable<string> Pairs => Avx2.IsSupported ? Rows.Select(row => row.Name) : [];

    [ParamsSource(nameof(Pairs))]
    public string Pair { get; set; } = "";

    /// <summary>The operand, from a field: a constant would let the JIT fold the loop away.</summary>
    private int seed = 0x3F800001;

    /// <summary>One operation is one instruction: a vector one, or for the clock row one dependent scalar add (a cycle).</summary>
    [Benchmark(OperationsPerInvoke = Iterations * Chains)]
    public long Instruction() => Array.Find(Rows, row => row.Name == Pair).Loop(seed);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static long AddChain(long x)
    {
        for (int i = 0; i < Iterations * Chains; i++) x += i;   // each add waits for the one before; the loop's own work runs beside
        return x;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static long Run<TFirst, TSecond>(int seed)
        where TFirst : struct, IVectorOp
        where TSecond : struct, IVectorOp
    {
        var k = Vector256.Create(seed);
        Vector256<int> a0 = k, a1 = k, a2 = k, a3 = k, a4 = k, a5 = k, b0 = k, b1 = k, b2 = k, b3 = k, b4 = k, b5 = k;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = TFirst.Apply(a0, k); a1 = TFirst.Apply(a1, k); a2 = TFirst.Apply(a2, k);
            a3 = TFirst.Apply(a3, k); a4 = TFirst.Apply(a4, k); a5 = TFirst.Apply(a5, k);
            b0 = TSecond.Apply(b0, k); b1 = TSecond.Apply(b1, k); b2 = TSecond.Apply(b2, k);
            b3 = TSecond.Apply(b3, k); b4 = TSecond.Apply(b4, k); b5 = TSecond.Apply(b5, k);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + b0 + b1 + b2 + b3 + b4 + b5).ToScalar();
    }

    private interface IVectorOp
    {
        static abstract Vector256<int> Apply(Vector256<int> x, Vector256<int> k);
    }

    private readonly struct Maddubs : IVectorOp
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => Avx2.MultiplyAddAdjacent(x.AsByte(), k.AsSByte()).AsInt32();
    }

    private readonly struct Maddwd : IVectorOp
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => Avx2.MultiplyAddAdjacent(x.AsInt16(), k.AsInt16());
    }

    private readonly struct IntToFloat : IVectorOp
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => Avx.ConvertToVector256Single(x).AsInt32();
    }

    private readonly struct FloatToInt : IVectorOp
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => Avx.ConvertToVector256Int32(x.AsSingle());
    }

    private readonly struct FloatMultiply : IVectorOp
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => (x.AsSingle() * k.AsSingle()).AsInt32();
    }

    private readonly struct FloatAdd : IVectorOp
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => (x.AsSingle() + k.AsSingle()).AsInt32();
    }

    private readonly struct SaturatingAdd : IVectorOp
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => Avx2.AddSaturate(x.AsInt16(), k.AsInt16()).AsInt32();
    }

    private readonly struct IntAdd : IVectorOp
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => x + k;
    }

    private readonly struct Pack : IVectorOp
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => Avx2.PackSignedSaturate(x, k).AsInt32();
    }

    private readonly struct Permute : IVectorOp
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => Avx2.PermuteVar8x32(x, k);
    }
}
