namespace QuantGen.Kernels.Int8;

/// <summary>
/// Weights for GEMM tiles that add two K steps' <c>vpmaddubsw</c> pair sums in int16 before one <c>vpmaddwd</c> widens
/// them (<see cref="MaddubsQuad"/>'s <c>DotTwo</c>): three multiplies per 64 MACs instead of four, 1.22× the pair's
/// peak on Zen 4 (bench/RESULTS.md).
/// </summary>
/// <remarks>
/// <para>A lane then holds four products: pair p of step 2t and pair p of step 2t + 1, K positions 8t + 2p, 8t + 2p + 1,
/// 8t + 4 + 2p and 8t + 5 + 2p. Their int16 sum is exact for every byte up to the bound when the bound times the group's
/// positive weights is at most 32767 and times its negative weights' magnitudes at most 32768. Where a group exceeds
/// that, its largest weights give up the excess: the tiles run on the reduced weights, and the taken part goes into a
/// correction that <see cref="PanelCorrections"/> adds to the int32 sums, so that every sum is the reference's exactly.
/// A reduced weight keeps its sign and shrinks, so each of its pairs stays within <c>vpmaddubsw</c>'s limit too.</para>
/// <para>Corrections are scalar work on every row, about five instructions each, where pairing saves two vector
/// instructions a row for every lane of 16 columns and two steps; past one correction per <see cref="GroupsPerCorrection"/>
/// groups the layer keeps one step at a time. QuantGen's converted MobileNetV2s need few: 0–1.6% of the groups of the
/// 224×224 fixture's pointwise layers, 0–0.07% of MNIST's (<c>--pairing</c> in the bench). Only the 32 → 16
/// projection at 112×112 lies between 1% and 2%, and on Zen 4 pairing saved it nothing (86–88 µs paired with its two
/// corrections a row left out, 87–90 one step at a time, 106–109 paired and corrected), so the threshold is 1% where
/// it was 2%; whole passes had measured thresholds of 1%, 2% and 4% alike.</para>
/// </remarks>
internal sealed class StepPairing
{
    /// <summary>
    /// The bytes pairing is exact for, at most: PyTorch's x86 qconfigs calibrate activations to [0, 127], so blocks
    /// above it are rare, and the driver takes their steps one at a time (<see cref="QGemm.ChecksPairedRows"/>). Against
    /// <c>vpmaddubsw</c>'s own byte limit (160–220 on the 224 fixture), 14 of its 35 pointwise layers needed more than
    /// one correction per 100 groups.
    /// </summary>
    public const byte Bound = 127;

    /// <summary>A layer pairs its steps while it needs at most one correction per this many four-product groups.</summary>
    public const int GroupsPerCorrection = 100;

    private StepPairing(sbyte[] weights, Correction[] corrections, long groups) => (Weights, Corrections, Groups) = (weights, corrections, groups);

    /// <summary>W′ [N × K]: the weights the tiles run on, every group within the bound.</summary>
    public sbyte[] Weights { get; }

    /// <summary>What W′ left out, by column and K position: W = W′ + the corrections.</summary>
    public Correction[] Corrections { get; }

    /// <summary>The four-product groups of the layer: N × ⌈K/8⌉ × 2.</summary>
    public long Groups { get; }

    /// <summary>Whether the tiles should take the steps two at a time: at most one correction per <see cref="GroupsPerCorrection"/> groups.</summary>
    public bool Pays => (long)Corrections.Length * GroupsPerCorrection <= Groups;

    /// <summary>The pairing of <paramref name="weight"/> [N × K] for bytes up to <paramref name="bound"/>.</summary>
    public static StepPairing Of(ReadOnlySpan<sbyte> weight, int n, int k, int bound)
    {
        bound = Math.Max(1, bound);
        int positiveCap = short.MaxValue / bound, negativeCap = -short.MinValue / bound;
        sbyte[] reduced = weight.ToArray();
        var corrections = new List<Correction>();
        long groups = (long)n * ((k + 7) / 8) * 2;
        Span<int> positions = stackalloc int[4];
        for (int column = 0; column < n; column++)
        {
            Span<sbyte> row = reduced.AsSpan(column * k, k);
            for (int t = 0; 8 * t < k; t++)
            {
                for (int p = 0; p < 4; p += 2)
                {
                    int first = 8 * t + p;
                    positions[0] = first;
                    positions[1] = first + 1;
                    positions[2] = first + 4;
                    positions[3] = first + 5;
                    Reduce(row, positions, column, sign: 1, positiveCap, corrections);
                    Reduce(row, positions, column, sign: -1, negativeCap, corrections);
                }
            }
        }
        return new StepPairing(reduced, [.. corrections], groups);
    }

    /// <summary>
    /// Shrinks the group's weights of one <paramref name="sign"/>, largest first, until their magnitudes sum to at most
    /// <paramref name="cap"/>, recording what each gave up.
    /// </summary>
    private static void Reduce(Span<sbyte> row, ReadOnlySpan<int> positions, int column, int sign, int cap, List<Correction> corrections)
    {
        int sum = 0;
        foreach (int at in positions)
        {
            if (at < row.Length) sum += Math.Max(0, sign * row[at]);
        }
        while (sum > cap)
        {
            int largest = -1;
            foreach (int at in positions)
            {
                if (at < row.Length && sign * row[at] > 0 && (largest < 0 || sign * row[at] > sign * row[largest])) largest = at;
            }
            int magnitude = sign * row[largest], taken = Math.Min(magnitude, sum - cap);
            row[largest] = (sbyte)(sign * (magnitude - taken));
            corrections.Add(new Correction(column, largest, sign * taken));
            sum -= taken;
        }
    }
}

/// <summary>What a reduced weight gave up: <see cref="Delta"/> times the activation at <see cref="K"/> belongs in column <see cref="Column"/>'s sum.</summary>
internal readonly record struct Correction(int Column, int K, int Delta);
