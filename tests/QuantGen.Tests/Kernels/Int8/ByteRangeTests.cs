using QuantGen.Kernels.Int8;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>
/// <see cref="ByteRange"/>: the byte limit a layer's weights allow <c>vpmaddubsw</c>, against a brute-force search of
/// saturating pairs, and the scans that pick <c>vpmaddubsw</c> or exact steps per row block, against a plain scan.
/// </summary>
public sealed unsafe class ByteRangeTests
{
    private static readonly byte[] Limits = [127, 129, 163, 200, 254, 255];

    [Fact]
    public void TheGemmLimitIsTheLargestByteNoPairSaturatesAt()
    {
        var random = new Random(6103);
        for (int trial = 0; trial < 300; trial++)
        {
            int n = random.Next(1, 6), k = random.Next(1, 12), reach = random.Next(1, 129);
            var weight = new sbyte[n * k];
            for (int i = 0; i < weight.Length; i++) weight[i] = (sbyte)random.Next(-reach, Math.Min(reach, 127) + 1);
            if (trial % 7 == 0) weight[random.Next(weight.Length)] = sbyte.MinValue;
            byte limit = ByteRange.GemmLimit(weight, n, k);
            Assert.True(limit == LargestExactByte(weight, n, k), $"n {n}, k {k}, weights [{string.Join(", ", weight)}]: limit {limit}");
        }
    }

    [Theory]
    [InlineData(-128, -128, 128)]   // −128·128·2 = −32768: the most negative int16, exactly
    [InlineData(127, 127, 129)]     // 129·254 = 32766
    [InlineData(-128, 127, 255)]    // opposite signs never leave int16
    [InlineData(0, 0, 255)]
    [InlineData(100, -1, 255)]      // 255·100 = 25500
    [InlineData(127, 2, 254)]       // 254·129 = 32766, 255·129 = 32895
    public void TheGemmLimitOfOnePair(int w0, int w1, int expected) =>
        Assert.Equal(expected, ByteRange.GemmLimit([(sbyte)w0, (sbyte)w1], 1, 2));

    [Fact]
    public void TheDepthwiseLimitHoldsForAnyPairOfAChannelsTaps()
    {
        var random = new Random(6104);
        for (int trial = 0; trial < 300; trial++)
        {
            int taps = random.Next(1, 10), channels = random.Next(1, 5), padded = channels + random.Next(3), reach = random.Next(1, 256);
            var weights = new int[taps * padded];
            for (int t = 0; t < taps; t++)
            {
                for (int c = 0; c < channels; c++) weights[t * padded + c] = random.Next(-Math.Min(reach, 128), Math.Min(reach, 127) + 1);
                for (int c = channels; c < padded; c++) weights[t * padded + c] = 255;   // padding: never looked at
            }
            byte limit = ByteRange.DepthwiseLimit(weights, taps, channels, padded);
            // Any two taps of a channel may share a lane, in either order, and a tap may share one with a zero weight.
            bool Exact(int x)
            {
                for (int c = 0; c < channels; c++)
                {
                    for (int a = 0; a < taps; a++)
                    {
                        for (int b = -1; b < taps; b++)
                        {
                            if (b == a) continue;
                            int w0 = weights[a * padded + c], w1 = b < 0 ? 0 : weights[b * padded + c];
                            if (!PairExact(w0, w1, x)) return false;
                        }
                    }
                }
                return true;
            }
            Assert.True(Exact(limit), $"limit {limit} saturates a pair (trial {trial})");
            Assert.True(limit == 255 || !Exact(limit + 1), $"limit {limit} is not the largest exact byte (trial {trial})");
        }
    }

    [Fact]
    public void FindsEveryByteAboveTheLimitAndOnlyThose()
    {
        var random = new Random(6101);
        for (int k = 1; k <= 70; k++)
        {
            foreach (int rows in new[] { 1, 2, 5, 9 })
            {
                byte limit = Limits[random.Next(Limits.Length)];
                // The rows in place (k apart, as a layer's buffer holds them) and the last one in a separate padded copy.
                byte[] data = new byte[rows * k], last = new byte[k + 64];
                for (int i = 0; i < data.Length; i++) data[i] = (byte)random.Next(limit + 1);
                int hot = limit == 255 ? -1 : random.Next(-2, data.Length);   // none about one time in (rows·k + 2) / 2
                if (hot >= 0) data[hot] = (byte)random.Next(limit + 1, 256);
                Array.Copy(data, (rows - 1) * k, last, 0, k);
                last[k] = 255;   // past K: never looked at
                int start = random.Next(rows), end = random.Next(start + 1, rows + 1);
                bool expected = hot >= start * k && hot < end * k;
                fixed (byte* a = data)
                fixed (byte* copy = last)
                {
                    Assert.True(expected == ByteRange.AnyAbove(new Rows(a, k, rows, copy), start, end, k, limit),
                        $"k {k}, rows {start}…{end} of {rows}, byte above {limit} at {hot}");
                }
            }
        }
    }

    [Fact]
    public void ARunOfAnyLengthFindsAByteAboveTheLimitAnywhereInIt()
    {
        // Lengths across the byte loop, the single vectors and the four-vector steps (128 bytes), with the byte at every
        // place that ends or starts a load, or at none; the bytes around the run are above the limit and must not count.
        var random = new Random(6102);
        byte[] buffer = new byte[700];
        for (int length = 0; length <= 600; length++)
        {
            byte limit = Limits[length % (Limits.Length - 1)];   // 255 has no byte above it
            var places = new HashSet<int> { -1, 0, length - 1, length / 2, random.Next(Math.Max(length, 1)) };
            for (int edge = 32; edge < length; edge += 32)
            {
                places.Add(edge - 1);
                places.Add(edge);
            }
            foreach (int hot in places)
            {
                if (hot >= length) continue;
                Array.Fill(buffer, (byte)255);
                for (int i = 0; i < length; i++) buffer[50 + i] = (byte)random.Next(limit + 1);
                if (hot >= 0) buffer[50 + hot] = (byte)(hot % 2 == 0 ? limit + 1 : random.Next(limit + 1, 256));
                fixed (byte* b = buffer)
                {
                    Assert.True((hot >= 0) == ByteRange.AnyAbove(b + 50, length, limit), $"length {length}, byte above {limit} at {hot}");
                }
            }
        }
    }

    /// <summary>The largest byte x such that every <c>vpmaddubsw</c> pair (K positions 2i, 2i + 1 of a row) stays in int16 for all bytes up to x.</summary>
    private static int LargestExactByte(sbyte[] weight, int n, int k)
    {
        int x = 255;
        while (!Exact(weight, n, k, x)) x--;
        return x;
    }

    private static bool Exact(sbyte[] weight, int n, int k, int x)
    {
        for (int row = 0; row < n; row++)
        {
            for (int i = 0; i < k; i += 2)
            {
                if (!PairExact(weight[row * k + i], i + 1 < k ? weight[row * k + i + 1] : 0, x)) return false;
            }
        }
        return true;
    }

    /// <summary>Whether <c>x₀·w₀ + x₁·w₁</c> fits int16 for all bytes up to <paramref name="x"/>: it is linear in each byte, so its extremes lie at the corners {0, x}².</summary>
    private static bool PairExact(int w0, int w1, int x)
    {
        foreach (int x0 in (ReadOnlySpan<int>)[0, x])
        {
            foreach (int x1 in (ReadOnlySpan<int>)[0, x])
            {
                if (x0 * w0 + x1 * w1 is > short.MaxValue or < short.MinValue) return false;
            }
        }
        return true;
    }
}
