using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The AVX2 depthwise pixel: 16 channels a step. Per inside tap, one <c>vpmovzxbw</c> widens 16 bytes to int16 in
/// channel order and two <c>vpmaddwd</c> against <see cref="QDepthwise.EvenOddWeights"/> add the even and the odd
/// channels' products to two int32 accumulators (exact: one product per lane, |255·255| ≪ 2³¹). Also the tail of
/// <see cref="Depthwise512"/>.
/// </summary>
internal readonly unsafe struct Depthwise256 : IDepthwisePixel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(QDepthwise layer, byte* corner, DepthwiseClass* window, byte* y) => Channels(layer, corner, window, y, 0);

    /// <summary>Channels from <paramref name="c"/> (a multiple of 16) to the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Channels(QDepthwise layer, byte* corner, DepthwiseClass* window, byte* y, int c)
    {
        long* inputs = layer.Windows.TapInputs + window->TapStart;
        int* taps = layer.Windows.TapWeights + window->TapStart;
        int* offsets = layer.EvenOddOffsets + window->Offsets;
        short* w = layer.EvenOddWeights;
        int count = window->TapCount, channels = layer.Channels;
        for (; c + 16 <= channels; c += 16)
        {
            // The second half of a 32-channel chunk starts 8 lanes into its evens and its odds.
            int at = c - (c & 16) / 2;
            Vector256<int> even = Vector256.Load(offsets + at), odd = Vector256.Load(offsets + at + 16);
            for (int i = 0; i < count; i++)
            {
                Vector256<short> x = Avx2.ConvertToVector256Int16(corner + inputs[i] + c);
                short* wt = w + 2 * (taps[i] + c) - (c & 16);
                even += Avx2.MultiplyAddAdjacent(x, Vector256.Load(wt));
                odd += Avx2.MultiplyAddAdjacent(x, Vector256.Load(wt + 32));
            }
            Store(layer, even, odd, at, y + c);
        }
        DepthwiseScalar.Channels(layer, corner, window, y, c);
    }

    /// <summary>
    /// Requantizes the even and odd channels (<see cref="Epilogue256.Requantize"/>'s rounding argument) and stores them
    /// in channel order: <c>(even + z) + (odd + z)·256</c> holds both bytes of a channel pair (each in [0, 255] after
    /// the clamp, so nothing carries), and one unsigned pack to 16 bits, exact below 65536, leaves them in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(QDepthwise layer, Vector256<int> even, Vector256<int> odd, int at, byte* y)
    {
        Epilogue e = layer.Epilogue;
        float* m = layer.EvenOddMultipliers + at;
        Vector256<int> pairs = Scale(e, even, m) + Avx2.ShiftLeftLogical(Scale(e, odd, m + 16), 8) + Vector256.Create(e.ZeroPoint * 257);
        Vector256<ushort> words = Avx2.PackUnsignedSaturate(pairs, pairs);   // per 128-bit lane: p0–p3 twice, then p4–p7 twice
        Avx2.Permute4x64(words.AsUInt64(), 0b10_00_10_00).GetLower().AsByte().Store(y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Scale(Epilogue e, Vector256<int> acc, float* m)
    {
        var scaled = Avx.ConvertToVector256Single(acc) * Vector256.Load(m);
        return Avx.ConvertToVector256Int32(Avx.Min(Avx.Max(scaled, Vector256.Create(e.Low)), Vector256.Create(e.High)));
    }
}
