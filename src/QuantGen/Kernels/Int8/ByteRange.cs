using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>Whether rows of activation bytes stay in <c>vpmaddubsw</c>'s exact range, [0, 127].</summary>
internal static unsafe class ByteRange
{
    /// <summary>Whether any of the first <paramref name="k"/> bytes of rows <paramref name="start"/>…<paramref name="end"/> is above 127.</summary>
    public static bool AnyAbove127(Rows a, int start, int end, int k)
    {
        // The rows before the last lie k bytes apart in the caller's buffer: one run of bytes, read a vector at a time
        // rather than a row at a time (a projection to 16 channels spends about 60 instructions on a row of 32 bytes).
        int inPlace = Math.Min(end, a.Count - 1);
        if (a.Stride == k && inPlace > start)
        {
            if (AnyAbove127(a[start], (long)(inPlace - start) * k)) return true;
            start = inPlace;
        }
        for (int m = start; m < end; m++)
        {
            if (AnyAbove127(a[m], k)) return true;
        }
        return false;
    }

    /// <summary>Whether a byte of <paramref name="bytes"/> at <paramref name="p"/> has its top bit set: whether their or has.</summary>
    /// <remarks>
    /// Four vectors a step into four ors, so that four loads are in flight: the bytes are a layer's input, just written
    /// by the layer before and often no nearer than L2. A 224×224 MobileNetV2 pass scans 7.1 MB this way; one or a
    /// step took 0.6–1.4% longer over the whole pass (Zen 3, <c>bench/RESULTS.md</c>).
    /// </remarks>
    public static bool AnyAbove127(byte* p, long bytes)
    {
        const int Width = 32;
        if (bytes < Width)
        {
            int bits = 0;
            for (long i = 0; i < bytes; i++) bits |= p[i];
            return bits > sbyte.MaxValue;
        }
        // The last load overlaps the ones before it where the length is not a multiple of 32: or-ing a byte twice changes nothing.
        var any0 = Vector256.Load(p + bytes - Width);
        Vector256<byte> any1 = default, any2 = default, any3 = default;
        long at = 0;
        for (; at + 4 * Width <= bytes; at += 4 * Width)
        {
            any0 |= Vector256.Load(p + at);
            any1 |= Vector256.Load(p + at + Width);
            any2 |= Vector256.Load(p + at + 2 * Width);
            any3 |= Vector256.Load(p + at + 3 * Width);
        }
        for (; at + Width < bytes; at += Width) any0 |= Vector256.Load(p + at);
        return (any0 | any1 | any2 | any3).ExtractMostSignificantBits() != 0;
    }
}
