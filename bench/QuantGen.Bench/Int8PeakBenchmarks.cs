using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace QuantGen.Bench;

/// <summary>
/// The core's int8 peak, for the "% of peak" of the layer tables: register-only loops of each u8×s8 dot product the
/// kernels can use, twelve independent accumulators (enough to hide the latency). Run beside the model benchmarks, in
/// the same BenchmarkDotNet run. .NET 10 exposes <c>VPDPBUSD</c> only as AVX-VNNI (ymm, VEX); AVX-512 VNNI without
/// AVX-VNNI (Zen 4, Cascade Lake) has no API, so there the peak is <c>vpmaddubsw</c> + <c>vpmaddwd</c>, the
/// AVX-512BW path's pair.
/// </summary>
[Config(typeof(Config))]
public class Int8PeakBenchmarks
{
    private const int Iterations = 1 << 20, Chains = 12;

    public static IEnumerable<string> Kinds =>
        new[] { "ymm vpdpbusd", "zmm vpmaddubsw+vpmaddwd", "ymm vpmaddubsw+vpmaddwd", "ymm 2 vpmaddubsw+vpaddw+vpmaddwd", "ymm vpmaddwd" }.Where(IsSupported);

    /// <summary>The dot products this machine has, the one its GEMMs prefer first (as <see cref="QuantGen.Kernels.Int8.Int8KernelPaths.Best"/> orders them).</summary>
    [ParamsSource(nameof(Kinds))]
    public string Kind { get; set; } = "";

    /// <summary>The operands, from fields: constants would let the JIT fold the multiplies out of the loop.</summary>
    private byte x = 3;
    private sbyte w = -2;

    /// <summary>One operation is one dot instruction (or pair): 32 MACs on ymm, 64 on zmm.</summary>
    [Benchmark(OperationsPerInvoke = Iterations * Chains)]
    public int Dot() => Kind switch
    {
        "ymm vpdpbusd" => VnniLoop(x, w),
        "ymm vpmaddubsw+vpmaddwd" => MaddubsLoop256(x, w),
        "ymm vpmaddwd" => PairLoop256(x, w),
        "ymm 2 vpmaddubsw+vpaddw+vpmaddwd" => Int16SumLoop256(x, w),
        _ => MaddubsLoop512(x, w),
    };

    /// <summary>
    /// The fastest dot product this machine has, in G MAC/s (best of five timed loops of each kind), for the Stopwatch
    /// profiles. The fastest, not the first: on Zen 2 one <c>vpmaddubsw</c>+<c>vpmaddwd</c> pair a cycle is 50 G MAC/s,
    /// while two <c>vpmaddubsw</c> summed in int16 before one <c>vpmaddwd</c> (what the AVX2 tiles run where the
    /// weights allow it) reach 66, and the layers ran at 120% of the pair's "peak".
    /// </summary>
    public static (double GigaMacs, string Kind) Measure()
    {
        (double best, string bestKind) = (0, "");
        foreach (string kind in Kinds)
        {
            for (int attempt = 0; attempt < 5; attempt++)
            {
                var benchmark = new Int8PeakBenchmarks { Kind = kind };
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                benchmark.Dot();
                double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
                double gigaMacs = (double)Iterations * Chains * MacsPerDot(kind) / seconds / 1e9;
                if (gigaMacs > best) (best, bestKind) = (gigaMacs, kind);
            }
        }
        return (best, bestKind);
    }

    private static int MacsPerDot(string kind) => kind switch
    {
        "ymm vpmaddwd" => 16,
        _ when kind.StartsWith("zmm", StringComparison.Ordinal) || kind.StartsWith("ymm 2 ", StringComparison.Ordinal) => 64,
        _ => 32,
    };

    private static bool IsSupported(string kind) => kind switch
    {
        "ymm vpdpbusd" => AvxVnni.IsSupported,
        "ymm vpmaddubsw+vpmaddwd" or "ymm 2 vpmaddubsw+vpaddw+vpmaddwd" or "ymm vpmaddwd" => Avx2.IsSupported,
        _ => Avx512BW.IsSupported,
    };

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int VnniLoop(byte xByte, sbyte wByte)
    {
        Vector256<byte> x = Vector256.Create(xByte);
        Vector256<sbyte> w = Vector256.Create(wByte);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<int> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, w); a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, w);
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, w); a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, w);
            a4 = AvxVnni.MultiplyWideningAndAdd(a4, x, w); a5 = AvxVnni.MultiplyWideningAndAdd(a5, x, w);
            a6 = AvxVnni.MultiplyWideningAndAdd(a6, x, w); a7 = AvxVnni.MultiplyWideningAndAdd(a7, x, w);
            a8 = AvxVnni.MultiplyWideningAndAdd(a8, x, w); a9 = AvxVnni.MultiplyWideningAndAdd(a9, x, w);
            a10 = AvxVnni.MultiplyWideningAndAdd(a10, x, w); a11 = AvxVnni.MultiplyWideningAndAdd(a11, x, w);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).ToScalar();
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int MaddubsLoop256(byte xByte, sbyte wByte)
    {
        Vector256<sbyte> w = Vector256.Create(wByte);
        Vector256<int> a0 = Vector256.Create((int)xByte), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector256<int> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Dot(a0, w); a1 = Dot(a1, w); a2 = Dot(a2, w); a3 = Dot(a3, w);
            a4 = Dot(a4, w); a5 = Dot(a5, w); a6 = Dot(a6, w); a7 = Dot(a7, w);
            a8 = Dot(a8, w); a9 = Dot(a9, w); a10 = Dot(a10, w); a11 = Dot(a11, w);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).ToScalar();
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int MaddubsLoop512(byte xByte, sbyte wByte)
    {
        Vector512<sbyte> w = Vector512.Create(wByte);
        Vector512<int> a0 = Vector512.Create((int)xByte), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector512<int> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Dot(a0, w); a1 = Dot(a1, w); a2 = Dot(a2, w); a3 = Dot(a3, w);
            a4 = Dot(a4, w); a5 = Dot(a5, w); a6 = Dot(a6, w); a7 = Dot(a7, w);
            a8 = Dot(a8, w); a9 = Dot(a9, w); a10 = Dot(a10, w); a11 = Dot(a11, w);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).ToScalar();
    }

    /// <summary>
    /// The exact int16-pair step (<c>WidePair</c>: activations above 127, where <c>vpmaddubsw</c> could saturate): 16 MACs
    /// an instruction, and an add of its own, which the VNNI and <c>vpmaddubsw</c> peaks do not show.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int PairLoop256(byte xByte, sbyte wByte)
    {
        Vector256<short> w = Vector256.Create((short)wByte);
        Vector256<int> a0 = Vector256.Create((int)xByte), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector256<int> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Pair(a0, w); a1 = Pair(a1, w); a2 = Pair(a2, w); a3 = Pair(a3, w);
            a4 = Pair(a4, w); a5 = Pair(a5, w); a6 = Pair(a6, w); a7 = Pair(a7, w);
            a8 = Pair(a8, w); a9 = Pair(a9, w); a10 = Pair(a10, w); a11 = Pair(a11, w);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).ToScalar();
    }

    /// <summary>
    /// Two K steps' <c>vpmaddubsw</c> sums added in int16 before one <c>vpmaddwd</c> widens them: three multiplies per
    /// 64 MACs instead of four. Exact only where four products' sum fits int16 (weights and bytes small enough); this
    /// is the ceiling of such a kernel on this core, for comparison with the pair above.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Int16SumLoop256(byte xByte, sbyte wByte)
    {
        Vector256<sbyte> w = Vector256.Create(wByte), w2 = Vector256.Create((sbyte)(wByte + 1));
        Vector256<int> a0 = Vector256.Create((int)xByte), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector256<int> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Dot2(a0, w, w2); a1 = Dot2(a1, w, w2); a2 = Dot2(a2, w, w2); a3 = Dot2(a3, w, w2);
            a4 = Dot2(a4, w, w2); a5 = Dot2(a5, w, w2); a6 = Dot2(a6, w, w2); a7 = Dot2(a7, w, w2);
            a8 = Dot2(a8, w, w2); a9 = Dot2(a9, w, w2); a10 = Dot2(a10, w, w2); a11 = Dot2(a11, w, w2);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Dot2(Vector256<int> acc, Vector256<sbyte> w, Vector256<sbyte> w2) =>
        acc + Avx2.MultiplyAddAdjacent(
            Avx2.MultiplyAddAdjacent(acc.AsByte(), w) + Avx2.MultiplyAddAdjacent(acc.AsByte(), w2), Vector256<short>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Pair(Vector256<int> acc, Vector256<short> w) => acc + Avx2.MultiplyAddAdjacent(acc.AsInt16(), w);

    /// <summary>
    /// The GEMM's <c>MaddubsQuad</c> step (u8×s8 pairs to int16, pairs of those to int32, added) with the accumulator's
    /// own bytes as the activations: operands fixed for the loop would let the JIT hoist both multiplies out of it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Dot(Vector256<int> acc, Vector256<sbyte> w) =>
        acc + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(acc.AsByte(), w), Vector256<short>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Dot(Vector512<int> acc, Vector512<sbyte> w) =>
        acc + Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(acc.AsByte(), w), Vector512<short>.One);

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new GigaMacsColumn(c => MacsPerDot((string)c.Parameters["Kind"])));
    }
}
