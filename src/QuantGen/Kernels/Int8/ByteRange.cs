using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>Whether rows of activation bytes stay in <c>vpmaddubsw</c>'s exact range, [0, 127].</summary>
internal static unsafe class ByteRange
{
    /// <summary>Whether any of the first <paramref name="k"/> bytes of rows <paramref name="start"/>…<paramref name="end"/> is above 127: whether their or has the top bit.</summary>
    public static bool AnyAbove127(Rows a, int start, int end, int k)
    {
        for (int m = start; m < end; m++)
        {
            byte* row = a[m];
            if (k < Vector128<byte>.Count)
            {
                int bits = 0;
                for (int i = 0; i < k; i++) bits |= row[i];
                if (bits > sbyte.MaxValue) return true;
                continue;
            }
            // The last load overlaps the one before it where k is not a multiple of 16: or-ing a byte twice changes nothing.
            var any = Vector128.Load(row + k - Vector128<byte>.Count);
            for (int i = 0; i + Vector128<byte>.Count < k; i += Vector128<byte>.Count) any |= Vector128.Load(row + i);
            if (any.ExtractMostSignificantBits() != 0) return true;
        }
        return false;
    }
}
