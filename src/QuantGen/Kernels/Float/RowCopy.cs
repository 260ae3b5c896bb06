using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Float;

/// <summary>
/// Copies of short float runs inline, without a call into memmove (whose fixed cost dominates runs of a few
/// floats, copied thousands of times per layer). Pure data movement: every path gets the same bits.
/// </summary>
internal static unsafe class RowCopy
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* destination, float* source, int count)
    {
        if (count < 4 || !Vector128.IsHardwareAccelerated)
        {
            for (int i = 0; i < count; i++) destination[i] = source[i];
            return;
        }
        int last = count - 4;
        for (int i = 0; i < last; i += 4) Vector128.Load(source + i).Store(destination + i);
        Vector128.Load(source + last).Store(destination + last); // overlaps the previous copy; never past the run
    }

    /// <summary>
    /// Splits <paramref name="count"/> floats into the even-indexed ones (to <paramref name="evens"/>) and the
    /// odd-indexed ones (to <paramref name="odds"/>): the column phases of a stride-2 convolution's input row.
    /// </summary>
    public static void Deinterleave(float* source, int count, float* evens, float* odds)
    {
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 8 <= count; i += 8)
            {
                // As 64-bit lanes, each holds an (even, odd) pair: narrowing keeps the even half, a shift then narrowing the odd one.
                Vector128<ulong> low = Vector128.Load(source + i).AsUInt64(), high = Vector128.Load(source + i + 4).AsUInt64();
                Vector128.Narrow(low, high).AsSingle().Store(evens + i / 2);
                Vector128.Narrow(low >>> 32, high >>> 32).AsSingle().Store(odds + i / 2);
            }
        }
        for (; i < count; i++)
        {
            if ((i & 1) == 0) evens[i >> 1] = source[i];
            else odds[i >> 1] = source[i];
        }
    }
}
