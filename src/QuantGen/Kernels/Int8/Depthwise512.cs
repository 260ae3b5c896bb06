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
    public static void Run(QDepthwise layer, byte* corner, DepthwiseClass* window, byte* y)
    {
        long* inputs = layer.Windows.TapInputs + window->TapStart;
        int* taps = layer.Windows.TapWeights + window->TapStart;
        int* offsets = layer.EvenOddOffsets + window->Offsets;
        short* w = layer.EvenOddWeights;
        int count = window->TapCount, channels = layer.Channels, c = 0;
        for (; c + 32 <= channels; c += 32)
        {
            Vector512<int> even = Vector512.Load(offsets + c), odd = Vector512.Load(offsets + c + 16);
            for (int i = 0; i < count; i++)
            {
                Vector512<short> x = Avx512BW.ConvertToVector512Int16(Vector256.Load(corner + inputs[i] + c));
                short* wt = w + 2 * (taps[i] + c);
                even += Avx512BW.MultiplyAddAdjacent(x, Vector512.Load(wt));
                odd += Avx512BW.MultiplyAddAdjacent(x, Vector512.Load(wt + 32));
            }
            Store(layer, even, odd, c, y + c);
        }
        if (c < channels) Depthwise256.Channels(layer, corner, window, y, c);
    }

    /// <summary>As <see cref="Depthwise256"/>'s store; <c>vpmovdw</c> truncates to 16 bits, exact as the pairs are below 65536.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(QDepthwise layer, Vector512<int> even, Vector512<int> odd, int c, byte* y)
    {
        Epilogue e = layer.Epilogue;
        float* m = layer.EvenOddMultipliers + c;
        Vector512<int> pairs = Scale(e, even, m) + Avx512F.ShiftLeftLogical(Scale(e, odd, m + 16), 8) + Vector512.Create(e.ZeroPoint * 257);
        Avx512F.ConvertToVector256UInt16(pairs.AsUInt32()).AsByte().Store(y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Scale(Epilogue e, Vector512<int> acc, float* m)
    {
        var scaled = Avx512F.ConvertToVector512Single(acc) * Vector512.Load(m);
        return Avx512F.ConvertToVector512Int32(Avx512F.Min(Avx512F.Max(scaled, Vector512.Create(e.Low)), Vector512.Create(e.High)));
    }
}
