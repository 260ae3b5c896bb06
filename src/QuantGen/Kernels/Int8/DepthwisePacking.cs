namespace QuantGen.Kernels.Int8;

/// <summary>
/// The tables a <see cref="QDepthwise"/> packs once per layer, one layout per kernel: per window class (its inside taps
/// only, see <see cref="DepthwiseWindows"/>), per 32 channels, the weights in the groups a kernel consumes them, so that a
/// pixel walks its class's weights with one pointer. Classes repeat the weights of the taps they share: a few kernels' worth.
/// </summary>
internal static class DepthwisePacking
{
    /// <summary><c>bias − z_in·Σ w′</c> over each class's inside taps, in wrapping int32 as the reference accumulator.</summary>
    public static PinnedBuffer<int> ClassOffsets(DepthwiseWindows windows, ReadOnlySpan<int> weights, ReadOnlySpan<int> bias, int inputZeroPoint, int channels, int padded)
    {
        var offsets = new PinnedBuffer<int>(windows.ClassCount * padded);
        ReadOnlySpan<int> tapWeights = windows.TapWeightSpan;
        for (int k = 0; k < windows.ClassCount; k++)
        {
            DepthwiseClass window = windows.Classes[k];
            for (int c = 0; c < channels; c++)
            {
                int sum = 0;
                for (int i = window.TapStart; i < window.TapStart + window.TapCount; i++) sum += weights[tapWeights[i] + c];
                offsets.Span[window.Offsets + c] = Offset(bias, c, inputZeroPoint, sum);
            }
        }
        return offsets;
    }

    /// <summary>The offsets of a window of every tap, <c>bias[c] − z_in·Σ_taps w′[c]</c>, channels in order (a padded slide's: <see cref="DepthwiseTables.PaddedOffsets"/>).</summary>
    public static int[] AllTapOffsets(ReadOnlySpan<int> weights, int taps, ReadOnlySpan<int> bias, int inputZeroPoint, int channels, int padded)
    {
        var offsets = new int[padded];
        for (int c = 0; c < channels; c++)
        {
            int sum = 0;
            for (int tap = 0; tap < taps; tap++) sum += weights[tap * padded + c];
            offsets[c] = Offset(bias, c, inputZeroPoint, sum);
        }
        return offsets;
    }

    /// <summary>Channel <paramref name="c"/>'s offset over taps whose weights sum to <paramref name="sum"/>; the arithmetic wraps as the reference's.</summary>
    private static int Offset(ReadOnlySpan<int> bias, int c, int inputZeroPoint, int sum) =>
        unchecked((bias.IsEmpty ? 0 : bias[c]) - inputZeroPoint * sum);

    /// <summary>
    /// The four-tap kernels' weights (<see cref="DepthwiseQuads"/>), signed bytes for <c>vpdpbusd</c> and <c>vpmaddubsw</c>
    /// (all weight zero points are 0 there, so <c>w′ = w</c>): per window class, per 32 channels, per four of the
    /// class's taps (<see cref="DepthwiseWindows.QuadInputs"/>), four vectors of 8 int32 lanes in the order of
    /// <see cref="DepthwiseQuads.QuadOrder"/>, lane bytes the four taps' weights (zero past the class's last tap).
    /// </summary>
    public static PinnedBuffer<sbyte> QuadWeights(DepthwiseWindows windows, ReadOnlySpan<int> weights, int channels, int padded)
    {
        int quadCount = 0;
        foreach (DepthwiseClass window in windows.Classes) quadCount += window.QuadCount;
        var packed = new PinnedBuffer<sbyte>(Math.Max(1, 4 * quadCount * padded));
        ReadOnlySpan<int> tapWeights = windows.TapWeightSpan;
        foreach (DepthwiseClass window in windows.Classes)
        {
            for (int i = 0; i < window.TapCount; i++)
            {
                int row = tapWeights[window.TapStart + i];
                for (int c = 0; c < channels; c++)
                {
                    int at = 4 * window.QuadStart * padded + (c >> 5) * window.QuadCount * 128 + i / 4 * 128 + 4 * (DepthwiseQuads.QuadOrder(c) & 31) + i % 4;
                    packed.Span[at] = (sbyte)weights[row + c];
                }
            }
        }
        return packed;
    }

    /// <summary>
    /// The four-tap kernels' weights for sliding along rows with a 3×3 kernel: per 32 channels, per kernel column,
    /// four vectors of 8 int32 lanes in the order of <see cref="DepthwiseQuads.QuadOrder"/>, lane bytes the column's three
    /// taps' weights, top to bottom, and a zero. The first <paramref name="wide"/> channels (whole 64-channel chunks, for
    /// the AVX-512BW slide) go per 64 channels instead, four vectors of 16 lanes a column in the order of
    /// <see cref="DepthwiseQuads.WideOrder"/>.
    /// </summary>
    /// <remarks>
    /// With <paramref name="firstByte"/> 1, each lane's taps sit one byte higher, its first byte the zero: the weights of
    /// the lower output row of a pair (<see cref="DepthwiseQuads.SlidePaddedRowPair{TDot}"/>), whose columns gather four
    /// input rows, the upper output's window the first three and the lower's the last three.
    /// </remarks>
    public static PinnedBuffer<sbyte> ColumnWeights(ReadOnlySpan<int> weights, int channels, int padded, int wide = 0, int firstByte = 0)
    {
        var packed = new PinnedBuffer<sbyte>(3 * 4 * padded);
        for (int c = 0; c < channels; c++)
        {
            for (int ky = 0; ky < 3; ky++)
            {
                for (int kx = 0; kx < 3; kx++)
                {
                    int at = c < wide
                        ? (c >> 6) * 768 + kx * 256 + 4 * (DepthwiseQuads.WideOrder(c, wide) & 63) + ky + firstByte
                        : (c >> 5) * 384 + kx * 128 + 4 * (DepthwiseQuads.QuadOrder(c) & 31) + ky + firstByte;
                    packed.Span[at] = (sbyte)weights[(3 * ky + kx) * padded + c];
                }
            }
        }
        return packed;
    }

    /// <summary>
    /// <see cref="Depthwise512"/>'s weights, int16 pairs for <c>vpmaddwd</c> against two taps' bytes zero-extended into the halves
    /// of each int32 lane: per window class, per 32 channels, per pair of the class's taps
    /// (<see cref="DepthwiseWindows.PairInputs"/>), channel c's lane holds <c>(w′_first[c], w′_second[c])</c>, channels in
    /// order, 16 to a vector; an odd class's last pair has a zero second weight.
    /// </summary>
    public static PinnedBuffer<short> PairWeights(DepthwiseWindows windows, ReadOnlySpan<int> weights, int channels, int padded)
    {
        int pairCount = 0;
        foreach (DepthwiseClass window in windows.Classes) pairCount += window.PairCount;
        var packed = new PinnedBuffer<short>(Math.Max(1, 2 * pairCount * padded));
        ReadOnlySpan<int> tapWeights = windows.TapWeightSpan;
        foreach (DepthwiseClass window in windows.Classes)
        {
            for (int i = 0; i < window.TapCount; i++)
            {
                int row = tapWeights[window.TapStart + i];
                for (int c = 0; c < channels; c++)
                {
                    int at = 2 * window.PairStart * padded + (c >> 5) * window.PairCount * 64 + i / 2 * 64 + 2 * (c & 31) + i % 2;
                    packed.Span[at] = (short)weights[row + c];
                }
            }
        }
        return packed;
    }

    /// <summary>
    /// <see cref="Depthwise256"/>'s weights, int16 for <c>vpmaddwd</c> against bytes widened to int16 in channel order:
    /// per window class, per 32 channels, per inside tap in the class's order, first the even channels' pairs
    /// <c>(w′[2j], 0)</c>, then the odd ones' <c>(0, w′[2j+1])</c> (32 int16 each). One <c>vpmaddwd</c> of the widened bytes
    /// with each gives the even and the odd channels' products in int32 lanes, exactly (the zero halves drop the other
    /// channel); a 16-channel half of a chunk reads half of each run.
    /// </summary>
    public static PinnedBuffer<short> EvenOddWeights(DepthwiseWindows windows, ReadOnlySpan<int> weights, int channels, int padded)
    {
        int tapCount = 0;
        foreach (DepthwiseClass window in windows.Classes) tapCount += window.TapCount;
        var packed = new PinnedBuffer<short>(Math.Max(1, 2 * tapCount * padded));
        ReadOnlySpan<int> tapWeights = windows.TapWeightSpan;
        foreach (DepthwiseClass window in windows.Classes)
        {
            for (int i = 0; i < window.TapCount; i++)
            {
                int row = tapWeights[window.TapStart + i];
                for (int c = 0; c < channels; c++)
                {
                    int at = 2 * window.TapStart * padded + (c >> 5) * window.TapCount * 64 + i * 64 + (c & 1) * 32 + (c & 30) + (c & 1);
                    packed.Span[at] = (short)weights[row + c];
                }
            }
        }
        return packed;
    }
}
