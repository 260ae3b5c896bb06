using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>Rows of activation bytes zero-extended to the width a step multiplies them at (<see cref="Steps.ActivationBytes"/>; the direct kernel's int16-pair band).</summary>
internal static unsafe class RowWidening
{
    /// <summary><paramref name="length"/> bytes from <paramref name="from"/> as uint16.</summary>
    public static void ToUInt16(byte* from, ushort* to, int length)
    {
        int i = 0;
        for (; i + Vector128<byte>.Count <= length; i += Vector128<byte>.Count)
        {
            var (lower, upper) = Vector128.Widen(Vector128.Load(from + i));
            lower.Store(to + i);
            upper.Store(to + i + Vector128<ushort>.Count);
        }
        for (; i < length; i++) to[i] = from[i];
    }

    /// <summary><paramref name="length"/> bytes from <paramref name="from"/> as int32.</summary>
    public static void ToInt32(byte* from, int* to, int length)
    {
        int i = 0;
        for (; i + Vector128<byte>.Count <= length; i += Vector128<byte>.Count)
        {
            var (lower, upper) = Vector128.Widen(Vector128.Load(from + i));
            var (first, second) = Vector128.Widen(lower);
            var (third, fourth) = Vector128.Widen(upper);
            first.AsInt32().Store(to + i);
            second.AsInt32().Store(to + i + 4);
            third.AsInt32().Store(to + i + 8);
            fourth.AsInt32().Store(to + i + 12);
        }
        for (; i < length; i++) to[i] = from[i];
    }
}
