using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace QuantGen.Bench;

/// <summary>
/// What a zmm requantize between ymm <c>vpdpbusd</c> runs costs, by how many dot products lie between two of them: the
/// measurement behind <c>QGemm.ZmmEpilogueSteps</c> (the AVX-VNNI GEMMs requantize on zmm only when K ≤ 32). Intel cores
/// run in a 512-bit mode while zmm work is in flight; on Sapphire Rapids ymm <c>vpdpbusd</c> still issues two a cycle
/// there, but leaving the mode and entering it again cost about 200 cycles each time (bench/RESULTS.md, fourth session).
/// Each iteration is twelve independent <c>vpdpbusd</c>; every <see cref="DotsBetween"/> of them, one requantize of four
/// ymm accumulators: on ymm (four converts, multiplies and converts) or on zmm (two of each, as
/// <c>PanelRequantizer.BytesOnZmm</c>). Compare the zmm row with the ymm one at each distance, on the machine at hand.
/// </summary>
[Config(typeof(Config))]
public class WideModeBenchmarks
{
    private const int Dots = 12 * 4096;

    public static IEnumerable<int> Distances => [12, 24, 48, 96, 192, 384];

    public static IEnumerable<string> Requantizes => AvxVnni.IsSupported && Avx512F.IsSupported ? ["ymm", "zmm"] : [];

    /// <summary>Dot products between two requantizes: a GEMM's four-row tile of 32 columns takes 16 per K step of 4.</summary>
    [ParamsSource(nameof(Distances))]
    public int DotsBetween { get; set; }

    [ParamsSource(nameof(Requantizes))]
    public string Requantize { get; set; } = "";

    /// <summary>From fields: constants would let the JIT fold the loop away.</summary>
    private byte x = 3;
    private sbyte w = -2;
    private float scale = 0.25f;

    /// <summary>One operation is one <c>vpdpbusd</c> (with its share of the requantizes).</summary>
    [Benchmark(OperationsPerInvoke = Dots)]
    public int Loop() => Requantize == "zmm" ? Run<OnZmm>(x, w, scale, DotsBetween / 12) : Run<OnYmm>(x, w, scale, DotsBetween / 12);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Run<TRequantize>(byte xByte, sbyte wByte, float scale, int every)
        where TRequantize : struct, IRequantizeProbe
    {
        Vector256<byte> x = Vector256.Create(xByte);
        Vector256<sbyte> w = Vector256.Create(wByte);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<int> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        Vector256<int> sink = default;
        for (int i = 0, left = every; i < Dots / 12; i++)
        {
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, w); a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, w);
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, w); a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, w);
            a4 = AvxVnni.MultiplyWideningAndAdd(a4, x, w); a5 = AvxVnni.MultiplyWideningAndAdd(a5, x, w);
            a6 = AvxVnni.MultiplyWideningAndAdd(a6, x, w); a7 = AvxVnni.MultiplyWideningAndAdd(a7, x, w);
            a8 = AvxVnni.MultiplyWideningAndAdd(a8, x, w); a9 = AvxVnni.MultiplyWideningAndAdd(a9, x, w);
            a10 = AvxVnni.MultiplyWideningAndAdd(a10, x, w); a11 = AvxVnni.MultiplyWideningAndAdd(a11, x, w);
            if (--left > 0) continue;
            left = every;
            sink += TRequantize.Apply(a0, a1, a2, a3, scale);
        }
        return (sink + a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).ToScalar();
    }

    /// <summary>A requantize's convert, multiply and convert of four accumulators, folded into one vector for the sink.</summary>
    private interface IRequantizeProbe
    {
        static abstract Vector256<int> Apply(Vector256<int> a0, Vector256<int> a1, Vector256<int> a2, Vector256<int> a3, float scale);
    }

    private readonly struct OnYmm : IRequantizeProbe
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Apply(Vector256<int> a0, Vector256<int> a1, Vector256<int> a2, Vector256<int> a3, float scale)
        {
            var m = Vector256.Create(scale);
            return Avx.ConvertToVector256Int32(Avx.ConvertToVector256Single(a0) * m) ^ Avx.ConvertToVector256Int32(Avx.ConvertToVector256Single(a1) * m)
                ^ Avx.ConvertToVector256Int32(Avx.ConvertToVector256Single(a2) * m) ^ Avx.ConvertToVector256Int32(Avx.ConvertToVector256Single(a3) * m);
        }
    }

    private readonly struct OnZmm : IRequantizeProbe
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Apply(Vector256<int> a0, Vector256<int> a1, Vector256<int> a2, Vector256<int> a3, float scale)
        {
            var m = Vector512.Create(scale);
            var bytes = Avx512F.ConvertToVector512Int32(Avx512F.ConvertToVector512Single(Vector512.Create(a0, a1)) * m)
                ^ Avx512F.ConvertToVector512Int32(Avx512F.ConvertToVector512Single(Vector512.Create(a2, a3)) * m);
            return bytes.GetLower() ^ bytes.GetUpper();
        }
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new GigaMacsColumn(_ => 32));
    }
}
