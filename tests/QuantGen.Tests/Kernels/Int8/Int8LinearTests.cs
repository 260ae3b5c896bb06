using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using Xunit.Abstractions;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary><see cref="Int8Linear"/> on every path equals <see cref="QLinear"/>, bit for bit.</summary>
public sealed class Int8LinearTests(ITestOutputHelper output)
{
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void RandomShapesEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6001);
        int cases = 0;
        foreach (Int8Regime regime in Enum.GetValues<Int8Regime>())
        {
            for (int i = 0; i < 25; i++, cases++)
            {
                // Odd sizes on purpose: rows not a multiple of the 4-row tile, K not a multiple of 4, N not of any panel.
                int rows = random.Next(1, 14), k = random.Next(1, 80), n = random.Next(1, 75);
                Check(Int8Case.Create(random, regime, n, k, rows * k), rows, k, n, path);
            }
        }
        output.WriteLine($"{cases} cases.");
    }

    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void MobileNetV2ClassifierShapesEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6002);
        foreach (var (rows, k, n) in new[] { (1, 1280, 10), (3, 1280, 1000), (5, 160, 960), (2, 4, 1) })
        {
            Check(Int8Case.Create(random, Int8Regime.Typical, n, k, rows * k), rows, k, n, path);
        }
    }

    /// <summary>
    /// One-row passes (<see cref="IGemmTile.One"/>) with <see cref="PanelPrefetch"/> on and off, whichever this CPU
    /// takes: the prefetch must read nothing and change nothing. Its switch is global, but no result depends on it.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void OneRowPassesEqualReferenceWithPrefetchOnAndOff(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        foreach (bool prefetch in (ReadOnlySpan<bool>)[true, false])
        {
            using var set = Int8Paths.Prefetch(prefetch);
            var random = new Random(6005);
            foreach (var (k, n) in new[] { (1280, 1000), (160, 960), (960, 320), (37, 45) })
            {
                Check(Int8Case.Create(random, Int8Regime.Typical, n, k, k), 1, k, n, path);
            }
        }
    }

    /// <summary>
    /// Single rows with a share of zero bytes, as behind a ReLU at batch 1: from 40% zeros AVX-VNNI reads only the weight
    /// rows of the nonzero bytes (<see cref="SparseRow"/>) of layers with 64 KB of weights or more, below that the
    /// panels; every path equals the reference either way. Depths not a multiple of four (the last four padded), N past
    /// whole 32-column chunks, weight zero points in some regimes, and smaller weights and a depth past what the kernel
    /// gathers on the stack (both stay on the panels).
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void SingleRowsWithZerosEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6008);
        foreach (var (k, n) in new[] { (960, 320), (576, 160), (1201, 110), (301, 110), (4096, 40), (4097, 40) })
        {
            foreach (Int8Regime regime in Enum.GetValues<Int8Regime>())
            {
                var c = Int8Case.Create(random, regime, n, k, k);
                var layer = new Int8Linear(c.Weight, c.WeightQ, c.Bias, k, n, c.InputQ, c.OutputQ, c.Activation);
                foreach (double share in (ReadOnlySpan<double>)[0, 0.39, 0.4, 0.6, 0.95, 1])
                {
                    byte[] input = (byte[])c.Input.Clone();
                    foreach (int i in Enumerable.Range(0, k).OrderBy(_ => random.Next()).Take((int)Math.Ceiling(share * k))) input[i] = 0;
                    CheckRows(c.WithInput(input), layer, 1, k, n, $"{share:P0} zeros");
                }
                bool sparse = path == Int8KernelPath.AvxVnni && k <= 4096 && (long)k * n >= SparseRow.MinWeightBytes;
                Assert.Equal(sparse, layer.Gemm.HasSparsePacking);
            }
        }
    }

    /// <summary>
    /// Only a zero-based epilogue may start at float bits: on any other no requantize form takes the bias out
    /// (<see cref="RequantizeForms.Of"/> would not say <see cref="RequantizeForm.ZeroBasedFloatBits"/>), so it refuses.
    /// </summary>
    [Fact]
    public void FloatBitsStartRefusesAnEpilogueThatIsNotZeroBased()
    {
        var weightQ = WeightQParams.PerTensor(0.01f);
        var shifted = new Epilogue(8, 0.01f, weightQ, new ActivationQParams(0.05f, 3), OutputRange.Full, needsWeightZeroPoints: false);
        var error = Assert.Throws<InvalidOperationException>(shifted.StartFromFloatBits);
        Assert.Contains("zero-based", error.Message);
        Assert.False(shifted.FloatStart);
        var zeroBased = new Epilogue(8, 0.01f, weightQ, new ActivationQParams(0.05f, 0), OutputRange.Full, needsWeightZeroPoints: false);
        zeroBased.StartFromFloatBits();
        Assert.Equal(RequantizeForm.ZeroBasedFloatBits, RequantizeForms.Of(zeroBased));
    }

    /// <summary>
    /// The float-bits start (<see cref="FloatBits"/>) at its limit: every weight ±127 against bytes of 255 reaches
    /// 259 · 127 · 255 = 8,387,715 &lt; 2²³ at K = 259, which the bias keeps exact, and 12,954,000 at K = 400, which it
    /// would not (the bits would leave their binade and read 4,565,392 too high at the top): the first starts biased on
    /// AVX-VNNI, the second does not, and both equal the reference, rows of 255 and random rows, on every path. The
    /// multiplier maps the largest sum near 200, so an error that large shows in the bytes. A quarter of the columns sum
    /// negative (weights of −127), and another quarter start from a bias of −50,000,000, whose sums the bits read far
    /// below the bias: both must requantize to 0, as the reference's do. The 64 columns take 32-column panels; 40 take
    /// 24-column ones (<see cref="GemmTile.Ymm4x24"/>), whose panels do not start on the scales' blocks, and never start biased.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void FloatBitsStartEqualsReferenceAtItsLimit(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6010);
        const int rows = 6;
        foreach (int n in (ReadOnlySpan<int>)[64, 40])
        {
            int[] bias = Enumerable.Range(0, n).Select(c => c % 4 == 1 ? -50_000_000 : 0).ToArray();
            foreach (int k in (ReadOnlySpan<int>)[259, 400])
            {
                var weight = new sbyte[n * k];
                for (int i = 0; i < weight.Length; i++) weight[i] = (sbyte)(i / k % 4 == 3 ? -127 : 127);
                var inputQ = new ActivationQParams(0.01f, 0);
                var weightQ = WeightQParams.PerTensor(0.01f);
                var outputQ = new ActivationQParams(0.01f * 0.01f * k * 127 * 255 / 200f, 0);
                var layer = new Int8Linear(weight, weightQ, bias, k, n, inputQ, outputQ);
                Assert.Equal(path == Int8KernelPath.AvxVnni && k == 259 && n == 64, layer.Gemm.Epilogue.FloatStart);
                var input = new byte[rows * k];
                random.NextBytes(input);
                Array.Fill(input, byte.MaxValue, 0, 2 * k);
                var expected = new byte[rows * n];
                QLinear.Forward(input, inputQ, weight, weightQ, bias, rows, k, n, outputQ, FusedActivation.None, expected);
                Assert.Contains(expected, value => value is > 150 and < 255);
                for (int i = 0; i < expected.Length; i++) Assert.True(i % n % 4 is 0 or 2 || expected[i] == 0, $"column {i % n} of a negative sum reads {expected[i]}");
                var actual = Layout.Poisoned(rows * n);
                layer.Forward(input, actual);
                Layout.AssertSame(expected, actual, $"{path}, N = {n}, K = {k}");
            }
        }
    }

    /// <summary>
    /// The 4×32 tile with its requantize on zmm (<see cref="YmmTile4x32ZmmEpilogue{TStep}"/>) in each requantize form:
    /// weight zero points (the row-sum term), multipliers above ½ (clamped in float), a clamp in words, the whole byte
    /// with and without a zero point, and the float-bits start, each over widths with a partial last panel; forced on
    /// every path whose dot products it can take (which tile AVX-VNNI chooses is KernelChoiceTests'), at 37 rows and at
    /// more than <see cref="QGemm.ZmmEpilogueRows"/> (below which AVX-VNNI runs the panels with the ymm requantize).
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void ZmmEpilogueTileEqualsReferenceInEveryForm(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        if (!YmmTile4x32ZmmEpilogue<VnniQuad>.IsSupported)
        {
            output.WriteLine("This machine lacks AVX-512BW or AVX-512VL: the tile does not exist here, and no path chooses it (KernelChoiceTests).");
            return;
        }
        using var forcedTile = Int8Paths.ForceTile(GemmTile.Ymm4x32ZmmEpilogue);
        var random = new Random(6011);
        var forms = new HashSet<RequantizeForm>();
        foreach (var (k, n) in new[] { (16, 96), (24, 144), (32, 40), (5, 17), (160, 96) })
        {
            foreach (Int8Regime regime in Enum.GetValues<Int8Regime>())
            {
                var c = Int8Case.Create(random, regime, n, k, (QGemm.ZmmEpilogueRows + 5) * k);
                foreach (Int8Case variant in (ReadOnlySpan<Int8Case>)[c, c.ZeroBased()])
                {
                    var layer = new Int8Linear(variant.Weight, variant.WeightQ, variant.Bias, k, n, variant.InputQ, variant.OutputQ, variant.Activation, variant.InputRange);
                    Assert.Equal(GemmTile.Ymm4x32ZmmEpilogue, layer.Gemm.Tile);
                    forms.Add(RequantizeForms.Of(layer.Gemm.Epilogue));
                    // Below QGemm.ZmmEpilogueRows the panels run with their requantize on ymm, from there on zmm.
                    foreach (int rows in (ReadOnlySpan<int>)[37, QGemm.ZmmEpilogueRows + 5])
                    {
                        CheckRows(variant.WithInput(variant.Input[..(rows * k)]), layer, rows, k, n, $"{GemmTile.Ymm4x32ZmmEpilogue}, {RequantizeForms.Of(layer.Gemm.Epilogue)}, {rows} rows");
                    }
                }
            }
        }
        var expected = Enum.GetValues<RequantizeForm>().Where(f => f != RequantizeForm.ZeroBasedFloatBits || path == Int8KernelPath.AvxVnni);
        Assert.Equal(expected.Order(), forms.Order());
    }

    /// <summary>Forks that share one GEMM meet their first sparse row on several threads at once, as the pairs above.</summary>
    [Theory]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void ForksPackingTheirSparseRowsAtOnceEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        const int k = 960, n = 160;
        var c = Int8Case.Create(new Random(6009), Int8Regime.Typical, n, k, k);
        for (int i = 0; i < k; i += 2) c.Input[i] = 0;
        var expected = new byte[n];
        QLinear.Forward(c.Input, c.InputQ, c.Weight, c.WeightQ, c.Bias, 1, k, n, c.OutputQ, c.Activation, expected);
        var layer = new Int8Linear(c.Weight, c.WeightQ, c.Bias, k, n, c.InputQ, c.OutputQ, c.Activation);
        byte[][] outputs = ForksAtOnce(layer, c.Input, n);
        Assert.True(layer.Gemm.HasSparsePacking);
        foreach (byte[] actual in outputs) Assert.Equal(expected, actual);
    }

    /// <summary>
    /// Depths whose rows outgrow the stack: widened to int16 or int32 (pairs past K = 4096, singles past 2048) and the
    /// padded copy of the last row (past 8192 bytes) borrow from the array pool.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void VeryDeepRowsEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6005);
        foreach (var (rows, k, n) in new[] { (5, 4500, 17), (6, 9001, 20) })
        {
            foreach (Int8Regime regime in Enum.GetValues<Int8Regime>())
            {
                Check(Int8Case.Create(random, regime, n, k, rows * k), rows, k, n, path);
            }
        }
    }

    /// <summary>
    /// Activations below 128 except in chosen rows, the layer not told: each row block runs on <c>vpmaddubsw</c> or, when it
    /// holds a byte above the weights' limit (<see cref="QGemm.InputLimit"/>), on exact pairs (AVX2, AVX-512BW), and the
    /// pairs are packed only when the first such block comes.
    /// 1280 columns make blocks of 12 rows: a larger byte in the first block, in the third, and in the row left over past
    /// the whole tiles, each on its own and then all in one call.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void RowBlocksAboveAndBelow128EqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        const int rows = 65, k = 320, n = 1280;
        var random = new Random(6006);
        var c = Int8Case.Create(random, Int8Regime.ReducedRange, n, k, rows * k);
        var layer = new Int8Linear(c.Weight, c.WeightQ, c.Bias, k, n, c.InputQ, c.OutputQ, c.Activation);
        bool checks = path is Int8KernelPath.Avx2 or Int8KernelPath.Avx512BW;
        Assert.Equal(checks, layer.Gemm.ChecksRows);
        CheckRows(c, layer, rows, k, n, "all below 128");
        Assert.False(layer.Gemm.HasExactPacking);
        foreach (int[] hot in new[] { new[] { 0 }, [30], [64], [0, 30, 64] })
        {
            byte[] input = (byte[])c.Input.Clone();
            foreach (int row in hot) input[row * k + random.Next(k)] = (byte)random.Next(layer.Gemm.InputLimit + 1, 256);
            CheckRows(c.WithInput(input), layer, rows, k, n, $"above {layer.Gemm.InputLimit} in rows {string.Join(", ", hot)}");
            Assert.Equal(checks, layer.Gemm.HasExactPacking);
        }
    }

    /// <summary>
    /// The byte limit at its edge. Every column pairs 127 with 127 and −127 with −127, so bytes up to 32767 / 254 = 129
    /// are exact on <c>vpmaddubsw</c> and 130 is not: 130·254 = 33020 saturates one pair to 32767 and the other to
    /// −32768, and a column's sum, 0, would come out −1, one output step. Rows of 129 stay on <c>vpmaddubsw</c>, a row of
    /// 130 takes its block to the pairs, and both equal the reference.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void BytesUpToTheWeightsLimitStayOnVpmaddubsw(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        const int rows = 9, k = 8, n = 24;
        var weight = new sbyte[n * k];
        for (int i = 0; i < weight.Length; i++) weight[i] = (sbyte)(i % 4 < 2 ? 127 : -127);
        var unit = new ActivationQParams(1f, 0);
        var c = new Int8Case
        {
            InputQ = unit,
            OutputQ = new ActivationQParams(1f, 128),
            WeightQ = WeightQParams.PerTensor(1f),
            Weight = weight,
            Bias = new int[n],
            Input = Enumerable.Repeat((byte)129, rows * k).ToArray(),
            Activation = FusedActivation.None,
            InputRange = null,
            Description = "pairs of ±127",
        };
        var layer = new Int8Linear(c.Weight, c.WeightQ, c.Bias, k, n, c.InputQ, c.OutputQ, c.Activation);
        bool maddubs = path is Int8KernelPath.Avx2 or Int8KernelPath.Avx512BW;
        Assert.Equal(maddubs ? 129 : 255, layer.Gemm.InputLimit);
        CheckRows(c, layer, rows, k, n, "every byte 129");
        Assert.False(layer.Gemm.HasExactPacking);
        byte[] input = (byte[])c.Input.Clone();
        Array.Fill(input, (byte)130, 4 * k, k);
        CheckRows(c.WithInput(input), layer, rows, k, n, "row 4 all 130");
        Assert.Equal(maddubs, layer.Gemm.HasExactPacking);
    }

    /// <summary>
    /// Forks that share one GEMM meet their first row above 127 on several threads at once: whichever packs the pairs
    /// first publishes them, and every thread's bytes equal the reference.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    public void ForksPackingTheirPairsAtOnceEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        const int rows = 9, k = 96, n = 144;
        var c = Int8Case.Create(new Random(6007), Int8Regime.ReducedRange, n, k, rows * k);
        c.Input[5 * k + 7] = 255;
        var expected = new byte[rows * n];
        QLinear.Forward(c.Input, c.InputQ, c.Weight, c.WeightQ, c.Bias, rows, k, n, c.OutputQ, c.Activation, expected);
        var layer = new Int8Linear(c.Weight, c.WeightQ, c.Bias, k, n, c.InputQ, c.OutputQ, c.Activation);
        Assert.True(layer.Gemm.InputLimit < 255, "the weights should leave a byte that needs the pairs");
        byte[][] outputs = ForksAtOnce(layer, c.Input, rows * n);
        Assert.True(layer.Gemm.HasExactPacking);
        foreach (byte[] actual in outputs) Assert.Equal(expected, actual);
    }

    /// <summary>Eight forks of <paramref name="layer"/> run <paramref name="input"/> on eight threads released at once; fails on any thread's exception.</summary>
    private static byte[][] ForksAtOnce(Int8Linear layer, byte[] input, int outputLength)
    {
        Int8Linear[] forks = [.. Enumerable.Range(0, 8).Select(_ => layer.Fork())];
        var outputs = new byte[forks.Length][];
        var failures = new Exception?[forks.Length];
        using var start = new Barrier(forks.Length);
        Thread[] threads = [.. Enumerable.Range(0, forks.Length).Select(i => new Thread(() =>
        {
            outputs[i] = new byte[outputLength];
            start.SignalAndWait();
            try
            {
                forks[i].Forward(input, outputs[i]);
            }
            catch (Exception e)
            {
                failures[i] = e;
            }
        }))];
        foreach (Thread thread in threads) thread.Start();
        foreach (Thread thread in threads) thread.Join();
        Assert.All(failures, Assert.Null);
        return outputs;
    }

    private static void CheckRows(Int8Case c, Int8Linear layer, int rows, int k, int n, string what)
    {
        var expected = new byte[rows * n];
        QLinear.Forward(c.Input, c.InputQ, c.Weight, c.WeightQ, c.Bias, rows, k, n, c.OutputQ, c.Activation, expected);
        var actual = Layout.Poisoned(rows * n);
        layer.Forward(c.Input, actual);
        Layout.AssertSame(expected, actual, $"{layer.Path}, [{rows}×{k}]·[{n}×{k}]ᵀ, {what}, {c.Description}");
    }

    /// <summary>
    /// The pointwise GEMM's tiles at the edges: K around the 4-byte step (and MobileNetV2's small and large depths), N around
    /// the 16- and 32-column panels (the last, narrower panel; the 16-column tile for N ≤ 16), M around the 4-row tile and the row blocks;
    /// regimes in turn, every third case saturating.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void GemmEdgeShapesEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        output.WriteLine($"{EdgeShapes(new Random(6003), path)} cases.");
    }

    /// <summary>
    /// Every ymm register tile on every path, forced, on the edge shapes (every N, not only those the path gives each):
    /// the 4×32 tile that AVX-VNNI runs on AVX-512 machines is covered with AVX2's and AVX-512BW's dot products where
    /// AVX-VNNI is missing (Zen 4, Skylake-X), the 16-column tile, which AVX-VNNI machines without AVX-512 (Alder Lake)
    /// run for every N, with AVX-512BW's, and AVX2's 4×24 tile with VNNI's and AVX-512BW's.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void EveryTileOfAPathEqualsReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var tiles = new List<GemmTile> { GemmTile.Ymm4x32, GemmTile.Ymm4x24, GemmTile.Ymm4x16 };
        if (YmmTile4x32ZmmEpilogue<VnniQuad>.IsSupported) tiles.Add(GemmTile.Ymm4x32ZmmEpilogue);
        foreach (GemmTile tile in tiles)
        {
            using var forcedTile = Int8Paths.ForceTile(tile);
            output.WriteLine($"{tile}: {EdgeShapes(new Random(6004), path, tile)} cases.");
        }
    }

    [Fact]
    public void BadArgumentsThrowTypedErrors()
    {
        var q = new ActivationQParams(0.1f, 3);
        var weightQ = WeightQParams.PerTensor(0.01f);
        Assert.Throws<ShapeMismatchException>(() => new Int8Linear(new sbyte[5], weightQ, [], 2, 3, q, q));
        Assert.Throws<ShapeMismatchException>(() => new Int8Linear(new sbyte[6], weightQ, [1], 2, 3, q, q));
        Assert.Throws<ShapeMismatchException>(() => new Int8Linear(new sbyte[6], WeightQParams.PerChannel([1f, 1f]), [], 2, 3, q, q));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Int8Linear(new sbyte[6], weightQ, [], 2, 3, q with { ZeroPoint = 300 }, q));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Int8Linear([], weightQ, [], 0, 3, q, q));
        var layer = new Int8Linear(new sbyte[6], weightQ, [], 2, 3, q, q);
        Assert.Throws<ShapeMismatchException>(() => layer.Forward(new byte[3], new byte[3]));
        Assert.Throws<ShapeMismatchException>(() => layer.Forward(new byte[4], new byte[5]));
        layer.Forward([], []);
    }

    /// <summary>
    /// Whole tiles read their rows a stride apart, the last row too where whole steps end with it; where they do not, the
    /// last row is a zero-padded copy, and with M a multiple of 4 the tile that would hold it is left to the one-row passes
    /// (<see cref="GemmDriver{TTile, TExact}"/>). Both, on every path: K on and off the 4-byte step, M a multiple of 4 and not.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void LastRowInPlaceAndInACopyEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6012);
        foreach (int k in (ReadOnlySpan<int>)[3, 5, 31, 32, 33, 64])
        {
            foreach (int rows in (ReadOnlySpan<int>)[4, 8, 9, 64])
            {
                var c = Int8Case.Create(random, Int8Regime.Typical, 40, k, rows * k);
                Check(c, rows, k, 40, path);
            }
        }
    }

    private int EdgeShapes(Random random, Int8KernelPath path, GemmTile? tile = null)
    {
        ReadOnlySpan<int> depths = [1, 3, 16, 24, 31, 32, 96, 160, 320];
        ReadOnlySpan<int> widths = [1, 10, 16, 17, 96, 144, 576, 1280];
        ReadOnlySpan<int> heights = [1, 2, 5, 63, 64, 65, 300];
        int cases = 0;
        foreach (int k in depths)
        {
            foreach (int n in widths)
            {
                // Every height in turn, the smaller ones where the reference would take too long.
                int h = cases % heights.Length;
                while (h > 0 && (long)heights[h] * k * n > 4_000_000) h--;
                int rows = heights[h];
                var c = Int8Case.Create(random, (Int8Regime)(cases % Enum.GetValues<Int8Regime>().Length), n, k, rows * k);
                if (cases % 3 == 0) c.Saturate(random);
                Check(c, rows, k, n, path, tile);
                cases++;
            }
        }
        return cases;
    }

    private void Check(Int8Case c, int rows, int k, int n, Int8KernelPath path, GemmTile? tile = null)
    {
        var expected = new byte[rows * n];
        QLinear.Forward(c.Input, c.InputQ, c.Weight, c.WeightQ, c.Bias, rows, k, n, c.OutputQ, c.Activation, expected);
        var layer = new Int8Linear(c.Weight, c.WeightQ, c.Bias, k, n, c.InputQ, c.OutputQ, c.Activation, c.InputRange);
        Assert.Equal(path, layer.Path);
        var actual = Layout.Poisoned(rows * n);
        layer.Forward(c.Input, actual);
        Layout.AssertSame(expected, actual, $"{path}{(tile is { } t ? $" ({t})" : "")}, [{rows}×{k}]·[{n}×{k}]ᵀ, {c.Description}");
        layer.Forward(c.Input, actual);   // a second call reuses the scratch
        Assert.Equal(expected, actual);
    }
}
