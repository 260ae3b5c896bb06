using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using Xunit.Abstractions;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>
/// The GEMM tiles that take two K steps into one int16 sum (<see cref="StepPairing"/>) equal <see cref="QLinear"/>
/// bit for bit: on every tile of AVX2 and AVX-512BW, four-row tiles and single rows, an odd last step, and weights
/// that pair only after corrections, with the activations those corrections are for at the top of their range.
/// </summary>
public sealed class StepPairingTests(ITestOutputHelper output)
{
    [Theory]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    public void PairedTilesEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var tiles = new List<GemmTile> { GemmTile.Ymm4x16, GemmTile.Ymm4x24 };
        if (System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported) tiles.Add(GemmTile.Ymm4x32);
        if (path == Int8KernelPath.Avx512BW) tiles.Add(GemmTile.Zmm4x32);
        var random = new Random(7101);
        int paired = 0, corrected = 0;
        foreach (GemmTile tile in tiles)
        {
            using var forcedTile = Int8Paths.ForceTile(tile);
            foreach (var (rows, k, n) in (ReadOnlySpan<(int, int, int)>)[(1, 64, 24), (3, 20, 80), (4, 8, 320), (9, 161, 96), (64, 96, 32), (5, 320, 10)])
            {
                Int8Linear layer = Check(random, rows, k, n, tile, told: true);
                Check(random, rows, k, n, tile, told: false);
                paired += layer.Gemm.PairedSteps > 0 ? 1 : 0;
                corrected += layer.Gemm.PairingCorrections > 0 ? 1 : 0;
            }
        }
        output.WriteLine($"{paired} layers paired their steps, {corrected} of them with corrections.");
        Assert.Equal(6 * tiles.Count, paired);
        Assert.Equal(6 * tiles.Count, corrected);
    }

    /// <summary>
    /// A layer whose weights fail the bound everywhere (−128 and 127 throughout) keeps one step at a time: its
    /// corrections would outnumber one in <see cref="StepPairing.GroupsPerCorrection"/> groups.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    public void WeightsThatCannotPairRunOneStepAtATime(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        int k = 64, n = 32;
        var weight = new sbyte[n * k];
        for (int i = 0; i < weight.Length; i++) weight[i] = i % 3 == 0 ? sbyte.MinValue : (sbyte)127;
        var q = new ActivationQParams(0.05f, 0);
        var layer = new Int8Linear(weight, WeightQParams.PerTensor(0.01f), [], k, n, q, new ActivationQParams(1f, 128), FusedActivation.None, new OutputRange(0, 127));
        Assert.Equal(0, layer.Gemm.PairedSteps);
    }

    /// <summary>
    /// Weights in [−30, 30], then one lane's group in four hundred made four 127s (or four −128s): the tiles' int16 sum
    /// of those products would wrap at bytes of 127, so the pairing moves part of them into corrections. Told its input
    /// is in [0, 127], the layer pairs; the bytes are random, with 127 at every planted position of every other row (so
    /// that a correction added to the wrong row of a tile shows). Not told, it pairs too, and checks its row blocks: a
    /// byte of 128–160 in every third row sends its block one step at a time, a 255 in every seventh row to the exact tile.
    /// </summary>
    private Int8Linear Check(Random random, int rows, int k, int n, GemmTile tile, bool told)
    {
        var weight = new sbyte[n * k];
        for (int i = 0; i < weight.Length; i++) weight[i] = (sbyte)random.Next(-30, 31);
        int groups = n * ((k + 7) / 8) * 2, planted = Math.Max(1, groups / 400);
        var hot = new HashSet<int>();
        for (int g = 0; g < planted; g++)
        {
            int column = random.Next(n), first = 8 * random.Next(k / 8) + 2 * random.Next(2);
            sbyte big = random.Next(2) == 0 ? (sbyte)127 : sbyte.MinValue;
            foreach (int at in (ReadOnlySpan<int>)[first, first + 1, first + 4, first + 5])
            {
                weight[column * k + at] = big;
                hot.Add(at);
            }
        }
        var input = new byte[rows * k];
        for (int m = 0; m < rows; m++)
        {
            for (int i = 0; i < k; i++) input[m * k + i] = hot.Contains(i) && m % 2 == 0 ? (byte)127 : (byte)random.Next(128);
            if (!told && m % 3 == 1) input[m * k + random.Next(k)] = (byte)random.Next(128, 161);
            if (!told && m % 7 == 6) input[m * k + random.Next(k)] = 255;
        }
        var weightQ = WeightQParams.PerChannel(Enumerable.Range(0, n).Select(_ => 0.002f + random.NextSingle() * 0.01f).ToArray(), new int[n]);
        var bias = Enumerable.Range(0, n).Select(_ => random.Next(-20_000, 20_001)).ToArray();
        var inputQ = new ActivationQParams(0.03f, random.Next(40));
        var outputQ = new ActivationQParams(0.03f * 0.007f * 40 * MathF.Sqrt(k), random.Next(256));

        var expected = new byte[rows * n];
        QLinear.Forward(input, inputQ, weight, weightQ, bias, rows, k, n, outputQ, FusedActivation.None, expected);
        var layer = new Int8Linear(weight, weightQ, bias, k, n, inputQ, outputQ, FusedActivation.None, told ? new OutputRange(0, 127) : null);
        Assert.Equal(tile, layer.Gemm.Tile);
        Assert.Equal(!told && layer.Gemm.PairedSteps > 0, layer.Gemm.ChecksPairedRows);
        var actual = Layout.Poisoned(rows * n);
        layer.Forward(input, actual);
        string what = $"{layer.Path} ({tile}), [{rows}×{k}]·[{n}×{k}]ᵀ, input range {(told ? "[0, 127]" : "unknown")}, {planted} planted groups, " +
            $"{layer.Gemm.PairedSteps} paired steps of {layer.Gemm.StepCount}, {layer.Gemm.PairingCorrections} corrections";
        Layout.AssertSame(expected, actual, what);
        output.WriteLine($"{what}: equal to the reference.");
        return layer;
    }
}
