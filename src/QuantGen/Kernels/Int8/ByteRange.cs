using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// Which activation bytes keep <c>vpmaddubsw</c> exact for a layer's weights, and whether rows of bytes stay below that.
/// </summary>
/// <remarks>
/// <c>vpmaddubsw</c> (AVX2's and AVX-512BW's <see cref="MaddubsQuad"/>) adds two u8·s8 products into an int16 and
/// saturates. The sum is linear in each byte, so for bytes up to <c>x</c> it is largest with every byte at <c>x</c> against
/// the pair's positive weights and smallest against its negative ones: bytes up to <c>x</c> are exact while
/// <c>x·(w₀⁺ + w₁⁺) ≤ 32767</c> and <c>x·(w₀⁻ + w₁⁻) ≤ 32768</c> for every pair the instruction meets. That is 128 at
/// worst (two weights of −128 allow 128, two of 127 allow 129) and at least 155 on every layer of the 224×224
/// MobileNetV2 fixture: the bytes a calibration over [0, 255] leaves above 127 in a few blocks of a pass stayed within
/// their layer's limit in both MobileNetV2 models of <c>bench/</c>.
/// </remarks>
internal static unsafe class ByteRange
{
    /// <summary>
    /// The largest byte exact against <paramref name="weight"/> [N × K] (row-major, the GEMM's packed K order), whose
    /// <c>vpmaddubsw</c> pairs are K positions 2i and 2i + 1 (a quad step's four bytes are two pairs); 255 when every byte is.
    /// </summary>
    public static byte GemmLimit(ReadOnlySpan<sbyte> weight, int n, int k)
    {
        int limit = byte.MaxValue;
        for (int row = 0; row < n; row++)
        {
            ReadOnlySpan<sbyte> w = weight.Slice(row * k, k);
            for (int i = 0; i < k; i += 2)
            {
                int w0 = w[i], w1 = i + 1 < k ? w[i + 1] : 0;
                limit = Math.Min(limit, PairLimit(Math.Max(w0, 0) + Math.Max(w1, 0), Math.Max(-w0, 0) + Math.Max(-w1, 0)));
            }
        }
        return (byte)limit;
    }

    /// <summary>
    /// As <see cref="GemmLimit"/> for depthwise weights <c>w′</c> (tap-major, <paramref name="padded"/> a tap), whose
    /// kernels pair a channel's taps in more than one order (a window class's inside taps, a slide's columns, a tap and a
    /// zero): each channel's two largest positive weights and two largest negative ones bound any pair of its taps.
    /// </summary>
    public static byte DepthwiseLimit(ReadOnlySpan<int> weights, int taps, int channels, int padded)
    {
        int limit = byte.MaxValue;
        for (int c = 0; c < channels; c++)
        {
            int positive0 = 0, positive1 = 0, negative0 = 0, negative1 = 0;
            for (int t = 0; t < taps; t++)
            {
                int w = weights[t * padded + c];
                if (w > positive0) (positive0, positive1) = (w, positive0);
                else if (w > positive1) positive1 = w;
                if (-w > negative0) (negative0, negative1) = (-w, negative0);
                else if (-w > negative1) negative1 = -w;
            }
            limit = Math.Min(limit, PairLimit(positive0 + positive1, negative0 + negative1));
        }
        return (byte)limit;
    }

    /// <summary>The largest byte keeping a pair within int16: <c>x·positive ≤ 32767</c> and <c>x·negative ≤ 32768</c>, the sums of its positive weights and of its negative weights' magnitudes.</summary>
    private static int PairLimit(int positive, int negative)
    {
        int limit = byte.MaxValue;
        if (positive > 0) limit = Math.Min(limit, short.MaxValue / positive);
        if (negative > 0) limit = Math.Min(limit, -short.MinValue / negative);
        return limit;
    }

    /// <summary>Whether any of the first <paramref name="k"/> bytes of rows <paramref name="start"/>…<paramref name="end"/> is above <paramref name="limit"/>.</summary>
    [MethodImpl(HotLoop.Compiled)]
    public static bool AnyAbove(Rows a, int start, int end, int k, byte limit)
    {
        // The rows before the last lie k bytes apart in the caller's buffer: one run of bytes, read a vector at a time
        // rather than a row at a time (a projection to 16 channels spends about 60 instructions on a row of 32 bytes).
        int inPlace = Math.Min(end, a.Count - 1);
        if (a.Stride == k && inPlace > start)
        {
            if (AnyAbove(a[start], (long)(inPlace - start) * k, limit)) return true;
            start = inPlace;
        }
        for (int m = start; m < end; m++)
        {
            if (AnyAbove(a[m], k, limit)) return true;
        }
        return false;
    }

    /// <summary>Whether a byte of the <paramref name="bytes"/> at <paramref name="p"/> is above <paramref name="limit"/>: whether their maximum is.</summary>
    /// <remarks>
    /// Four vectors a step into four maxima, so that four loads are in flight: the bytes are a layer's input, just written
    /// by the layer before and often no nearer than L2. A 224×224 MobileNetV2 pass scans 7.1 MB this way; one vector a
    /// step took 0.6–1.4% longer over the whole pass (Zen 3, <c>bench/RESULTS.md</c>).
    /// </remarks>
    [MethodImpl(HotLoop.Compiled)]
    public static bool AnyAbove(byte* p, long bytes, byte limit)
    {
        const int Width = 32;
        if (bytes < Width)
        {
            int largest = 0;
            for (long i = 0; i < bytes; i++) largest = Math.Max(largest, p[i]);
            return largest > limit;
        }
        // The last load overlaps the ones before it where the length is not a multiple of 32: a byte met twice changes no maximum.
        var max0 = Vector256.Load(p + bytes - Width);
        Vector256<byte> max1 = default, max2 = default, max3 = default;
        long at = 0;
        for (; at + 4 * Width <= bytes; at += 4 * Width)
        {
            max0 = Vector256.Max(max0, Vector256.Load(p + at));
            max1 = Vector256.Max(max1, Vector256.Load(p + at + Width));
            max2 = Vector256.Max(max2, Vector256.Load(p + at + 2 * Width));
            max3 = Vector256.Max(max3, Vector256.Load(p + at + 3 * Width));
        }
        for (; at + Width < bytes; at += Width) max0 = Vector256.Max(max0, Vector256.Load(p + at));
        var largestBytes = Vector256.Max(Vector256.Max(max0, max1), Vector256.Max(max2, max3));
        var bound = Vector256.Create(limit);
        return Vector256.Max(largestBytes, bound) != bound;
    }
}
