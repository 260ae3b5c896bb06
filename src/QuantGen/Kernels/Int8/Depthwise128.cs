using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>The portable depthwise pixel: 8 channels a step, bytes widened twice to int32 lanes and multiplied by int32 <c>w′</c>.</summary>
internal readonly unsafe struct Depthwise128 : IDepthwisePixel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y)
    {
        long* inputs = t.TapInputs + window->TapStart;
        int* taps = t.TapWeights + window->TapStart;
        int* offsets = t.Offsets + window->Offsets, w = t.Weights;
        int count = window->TapCount, channels = t.Channels, c = 0;
        for (; c + 8 <= channels; c += 8)
        {
            Vector128<int> acc0 = Vector128.Load(offsets + c), acc1 = Vector128.Load(offsets + c + 4);
            for (int i = 0; i < count; i++)
            {
                Vector128<ushort> x = Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(corner + inputs[i] + c)).AsByte());
                int* wt = w + taps[i] + c;
                acc0 += Vector128.WidenLower(x).AsInt32() * Vector128.Load(wt);
                acc1 += Vector128.WidenUpper(x).AsInt32() * Vector128.Load(wt + 4);
            }
            // The epilogue's offsets are zero (see QDepthwise), so this adds nothing more.
            Epilogue128.Store(t.Epilogue, acc0, acc1, 0, c, y + c, 8);
        }
        DepthwiseScalar.Channels(t, corner, window, y, c);
    }
}
