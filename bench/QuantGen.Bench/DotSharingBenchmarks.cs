using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;

namespace QuantGen.Bench;

/// <summary>
/// What a requantize's instructions take from AVX-VNNI's dot products: twelve independent ymm <c>vpdpbusd</c> chains a
/// loop iteration, with four independent ymm or zmm instructions of one kind beside them, timed per
/// <c>vpdpbusd</c>. Where the extra instructions have pipes of their own the time stays the <c>none</c> row's; where
/// they share <c>vpdpbusd</c>'s two, twelve dot products and four extra take 16/12 of it. The zmm rows put an Intel core
/// in its 512-bit mode, where port 1 takes no vector work.
/// </summary>
/// <remarks>
/// On Sapphire Rapids (bench/RESULTS.md, eighth session) the ymm float instructions share the dot products' pipes and
/// the packs and permutes do not; on zmm everything does. That is why the small-K expansions' zmm requantize pays for
/// its packs (<c>YmmTile4x32ZmmEpilogue.StoresTwoRows</c>), and why the ymm requantize's cost is its float work.
/// </remarks>
public class DotSharingBenchmarks
{
    private const int Iterations = 1 << 18, Dots = 12;

    public static IEnumerable<string> Extras =>
        AvxVnni.IsSupported
            ? ["none", "ymm paddd", "ymm packssdw", "ymm permd", "ymm cvtdq2ps", "ymm mulps", "ymm cvtps2dq",
                .. Avx512BW.IsSupported ? new[] { "zmm paddd", "zmm packssdw", "zmm cvtps2dq", "zmm mulps" } : []]
            : [];

    [ParamsSource(nameof(Extras))]
    public string Extra { get; set; } = "";

    /// <summary>The operands, from fields: constants would let the JIT fold the loop away. 1.0 and 1.0000001 as floats, so no multiply meets a denormal.</summary>
    private int seed = 0x3F800000, factor = 0x3F800001;

    /// <summary>One operation is one <c>vpdpbusd</c>.</summary>
    [Benchmark(OperationsPerInvoke = Iterations * Dots)]
    public int Dot() => Extra switch
    {
        "none" => Loop<NoOp, Vector256<int>>(seed, factor),
        "ymm paddd" => Loop<IntAdd, Vector256<int>>(seed, factor),
        "ymm packssdw" => Loop<Pack, Vector256<int>>(seed, factor),
        "ymm permd" => Loop<Permute, Vector256<int>>(seed, factor),
        "ymm cvtdq2ps" => Loop<IntToFloat, Vector256<int>>(seed, factor),
        "ymm mulps" => Loop<FloatMultiply, Vector256<int>>(seed, factor),
        "ymm cvtps2dq" => Loop<FloatToInt, Vector256<int>>(seed, factor),
        "zmm paddd" => Loop<IntAddZmm, Vector512<int>>(seed, factor),
        "zmm packssdw" => Loop<PackZmm, Vector512<int>>(seed, factor),
        "zmm cvtps2dq" => Loop<FloatToIntZmm, Vector512<int>>(seed, factor),
        _ => Loop<FloatMultiplyZmm, Vector512<int>>(seed, factor),
    };

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Loop<TExtra, TVector>(int seed, int factor)
        where TExtra : struct, IExtra<TVector>
    {
        var x = Vector256.Create((byte)3);
        var w = Vector256.Create((sbyte)-2);
        Vector256<int> d0 = default, d1 = default, d2 = default, d3 = default, d4 = default, d5 = default;
        Vector256<int> d6 = default, d7 = default, d8 = default, d9 = default, d10 = default, d11 = default;
        TVector k = TExtra.Broadcast(factor), e0 = TExtra.Broadcast(seed), e1 = e0, e2 = e0, e3 = e0;
        for (int i = 0; i < Iterations; i++)
        {
            d0 = AvxVnni.MultiplyWideningAndAdd(d0, x, w); d1 = AvxVnni.MultiplyWideningAndAdd(d1, x, w);
            d2 = AvxVnni.MultiplyWideningAndAdd(d2, x, w); d3 = AvxVnni.MultiplyWideningAndAdd(d3, x, w);
            d4 = AvxVnni.MultiplyWideningAndAdd(d4, x, w); d5 = AvxVnni.MultiplyWideningAndAdd(d5, x, w);
            d6 = AvxVnni.MultiplyWideningAndAdd(d6, x, w); d7 = AvxVnni.MultiplyWideningAndAdd(d7, x, w);
            d8 = AvxVnni.MultiplyWideningAndAdd(d8, x, w); d9 = AvxVnni.MultiplyWideningAndAdd(d9, x, w);
            d10 = AvxVnni.MultiplyWideningAndAdd(d10, x, w); d11 = AvxVnni.MultiplyWideningAndAdd(d11, x, w);
            if (TExtra.Present)
            {
                e0 = TExtra.Apply(e0, k); e1 = TExtra.Apply(e1, k); e2 = TExtra.Apply(e2, k); e3 = TExtra.Apply(e3, k);
            }
        }
        var extras = TExtra.Lower(e0) + TExtra.Lower(e1) + TExtra.Lower(e2) + TExtra.Lower(e3);
        return (d0 + d1 + d2 + d3 + d4 + d5 + d6 + d7 + d8 + d9 + d10 + d11 + extras).ToScalar();
    }

    private interface IExtra<TVector>
    {
        static virtual bool Present => true;

        static abstract TVector Broadcast(int value);

        static abstract Vector256<int> Lower(TVector x);

        static abstract TVector Apply(TVector x, TVector k);
    }

    private interface IYmmExtra : IExtra<Vector256<int>>
    {
        static Vector256<int> IExtra<Vector256<int>>.Broadcast(int value) => Vector256.Create(value);

        static Vector256<int> IExtra<Vector256<int>>.Lower(Vector256<int> x) => x;
    }

    private interface IZmmExtra : IExtra<Vector512<int>>
    {
        static Vector512<int> IExtra<Vector512<int>>.Broadcast(int value) => Vector512.Create(value);

        static Vector256<int> IExtra<Vector512<int>>.Lower(Vector512<int> x) => x.GetLower();
    }

    private readonly struct NoOp : IYmmExtra
    {
        public static bool Present => false;

        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => x;
    }

    private readonly struct IntAdd : IYmmExtra
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => x + k;
    }

    private readonly struct Pack : IYmmExtra
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => Avx2.PackSignedSaturate(x, k).AsInt32();
    }

    private readonly struct Permute : IYmmExtra
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => Avx2.PermuteVar8x32(x, k);
    }

    private readonly struct IntToFloat : IYmmExtra
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => Avx.ConvertToVector256Single(x).AsInt32();
    }

    private readonly struct FloatMultiply : IYmmExtra
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => (x.AsSingle() * k.AsSingle()).AsInt32();
    }

    private readonly struct FloatToInt : IYmmExtra
    {
        public static Vector256<int> Apply(Vector256<int> x, Vector256<int> k) => Avx.ConvertToVector256Int32(x.AsSingle());
    }

    private readonly struct IntAddZmm : IZmmExtra
    {
        public static Vector512<int> Apply(Vector512<int> x, Vector512<int> k) => x + k;
    }

    private readonly struct PackZmm : IZmmExtra
    {
        public static Vector512<int> Apply(Vector512<int> x, Vector512<int> k) => Avx512BW.PackSignedSaturate(x, k).AsInt32();
    }

    private readonly struct FloatToIntZmm : IZmmExtra
    {
        public static Vector512<int> Apply(Vector512<int> x, Vector512<int> k) => Avx512F.ConvertToVector512Int32(x.AsSingle());
    }

    private readonly struct FloatMultiplyZmm : IZmmExtra
    {
        public static Vector512<int> Apply(Vector512<int> x, Vector512<int> k) => (x.AsSingle() * k.AsSingle()).AsInt32();
    }
}
