using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The AVX-512BW depthwise pixel: <see cref="Depthwise256"/> on zmm, 32 channels a step; the channels past the last
/// whole 32 go to <see cref="Depthwise256"/>.
/// </summary>
internal readonly unsafe struct Depthwise512 : IDepthwisePixel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y)
    {
        long* inputs = t.TapInputs + window->TapStart;
        int* offsets = t.EvenOddOffsets + window->Offsets;
        int count = window->TapCount, channels = t.Channels, c = 0;
        short* w = t.EvenOddWeights + 2L * window->TapStart * t.PaddedChannels;
        for (; c + 32 <= channels; c += 32)
        {
            Vector512<int> even = Vector512.Load(offsets + c), odd = Vector512.Load(offsets + c + 16);
            byte* x = corner + c;
            for (long* tap = inputs, end = inputs + count; tap < end; tap++, w += 64)
            {
                Vector512<short> bytes = Avx512BW.ConvertToVector512Int16(Vector256.Load(x + *tap));
                even += Avx512BW.MultiplyAddAdjacent(bytes, Vector512.Load(w));
                odd += Avx512BW.MultiplyAddAdjacent(bytes, Vector512.Load(w + 32));
            }
            Store(t, even, odd, c, y + c);
        }
        if (c < channels) Depthwise256.Channels(t, corner, window, y, c);
    }

    /// <summary>As <see cref="Depthwise256"/>'s store; <c>vpmovdw</c> truncates to 16 bits, exact as the pairs are below 65536.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(in DepthwiseTables t, Vector512<int> even, Vector512<int> odd, int c, byte* y)
    {
        float* m = t.EvenOddMultipliers + c;
        Vector512<int> pairs = Scale(t, even, m) + Avx512F.ShiftLeftLogical(Scale(t, odd, m + 16), 8) + Vector512.Create(t.PairZeroPoint);
        Avx512F.ConvertToVector256UInt16(pairs.AsUInt32()).AsByte().Store(y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Scale(in DepthwiseTables t, Vector512<int> acc, float* m)
    {
        var scaled = Avx512F.ConvertToVector512Single(acc) * Vector512.Load(m);
        return Avx512F.ConvertToVector512Int32(Avx512F.Min(Avx512F.Max(scaled, Vector512.Create(t.Low)), Vector512.Create(t.High)));
    }
}
