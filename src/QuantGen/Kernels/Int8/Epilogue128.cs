using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>Requantize 8 int32 accumulators (two vectors) of one row, portably, and store them as bytes: the portable depthwise kernel's epilogue.</summary>
internal static unsafe class Epilogue128
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Epilogue e, Vector128<int> acc0, Vector128<int> acc1, int rowSum, int c0, byte* y, int columns) =>
        Write(Bytes(e, acc0, acc1, rowSum, c0), y, columns);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bytes(Epilogue e, Vector128<int> acc0, Vector128<int> acc1, int rowSum, int c0)
    {
        Vector128<short> shorts = Vector128.Narrow(Requantize(e, acc0, rowSum, c0), Requantize(e, acc1, rowSum, c0 + 4));
        return Vector128.Narrow(shorts.AsUInt16(), shorts.AsUInt16()).AsUInt64().ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(ulong bytes, byte* y, int columns)
    {
        if (columns == 8) Unsafe.WriteUnaligned(y, bytes);
        else Epilogue256.StorePartial(bytes, y, columns);
    }

    /// <summary>
    /// Four channels from <paramref name="c0"/>. <see cref="Vector128.Round(Vector128{float})"/> rounds half to even
    /// (as <c>MathF.Round</c>'s default) to an integral float, which then converts to int32 exactly. Max/Min differ
    /// from <c>Math.Clamp</c> only for NaN and the sign of zero, which cannot change the integer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Requantize(Epilogue e, Vector128<int> acc, int rowSum, int c0)
    {
        acc += Vector128.Load(e.Offsets + c0);
        if (e.WeightZeroPoints != null) acc -= Vector128.Load(e.WeightZeroPoints + c0) * Vector128.Create(rowSum);
        var scaled = Vector128.ConvertToSingle(acc) * Vector128.Load(e.Multipliers + c0);
        var clamped = Vector128.Min(Vector128.Max(scaled, Vector128.Create(e.Low)), Vector128.Create(e.High));
        return Vector128.ConvertToInt32(Vector128.Round(clamped)) + Vector128.Create(e.ZeroPoint);
    }
}
