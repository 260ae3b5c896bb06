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
    public static bool AnyAbove127(byte* p, long bytes)
    {
        if (bytes < Vector256<byte>.Count)
        {
            int bits = 0;
            for (long i = 0; i < bytes; i++) bits |= p[i];
            return bits > sbyte.MaxValue;
        }
        // The last load overlaps the one before it where the length is not a multiple of 32: or-ing a byte twice changes nothing.
        var any = Vector256.Load(p + bytes - Vector256<byte>.Count);
        for (long i = 0; i + Vector256<byte>.Count < bytes; i += Vector256<byte>.Count) any |= Vector256.Load(p + i);
        return any.ExtractMostSignificantBits() != 0;
    }
}
