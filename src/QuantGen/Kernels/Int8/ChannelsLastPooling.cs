using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The pooling kernels of <c>Kernels/Reference</c> on channels-last (NHWC) samples: the same windows and the same
/// arithmetic per channel, so the bytes equal <see cref="QMaxPool2d"/>, <see cref="QAvgPool2d"/> and
/// <see cref="QAdaptiveAvgPool2d"/> on the NCHW transpose. <see cref="PoolGeometry.Planes"/> is the channel count.
/// </summary>
public static class ChannelsLastPooling
{
    /// <summary>Max pooling of <paramref name="batch"/> samples [H, W, C] → [OH, OW, C]; see <see cref="QMaxPool2d"/> for the border rule.</summary>
    public static void Max(in PoolGeometry g, int batch, ReadOnlySpan<byte> input, Span<byte> output)
    {
        const string op = "ChannelsLastPooling.Max";
        ReferenceChecks.Pool(g, op);
        int channels = g.Planes, outHeight = g.OutHeight, outWidth = g.OutWidth;
        CheckLengths(g, batch, input, output, op);
        bool clampToBorder = !g.CeilMode;
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<byte> image = input.Slice(n * g.InHeight * g.InWidth * channels, g.InHeight * g.InWidth * channels);
            Span<byte> result = output.Slice(n * outHeight * outWidth * channels, outHeight * outWidth * channels);
            for (int i = 0; i < outHeight; i++)
            {
                for (int j = 0; j < outWidth; j++)
                {
                    Span<byte> pixel = result.Slice((i * outWidth + j) * channels, channels);
                    pixel.Clear();
                    bool any = false;
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        int r = g.TapRow(i, ky, clampToBorder);
                        if (r < 0) continue;
                        for (int kx = 0; kx < g.KernelWidth; kx++)
                        {
                            int c = g.TapColumn(j, kx, clampToBorder);
                            if (c < 0) continue;
                            ReadOnlySpan<byte> tap = image.Slice((r * g.InWidth + c) * channels, channels);
                            for (int ch = 0; ch < channels; ch++) pixel[ch] = Math.Max(pixel[ch], tap[ch]);
                            any = true;
                        }
                    }
                    // The reference writes (byte)-1 for a window with no tap (only reachable in ceil mode); so do we.
                    if (!any) pixel.Fill(byte.MaxValue);
                }
            }
        }
    }

    /// <summary>Average pooling of <paramref name="batch"/> samples [H, W, C] → [OH, OW, C], as <see cref="QAvgPool2d"/>.</summary>
    public static void Average(in PoolGeometry g, bool countIncludePad, ActivationQParams q, int batch, ReadOnlySpan<byte> input, Span<byte> output)
    {
        const string op = "ChannelsLastPooling.Average";
        ReferenceChecks.Pool(g, op);
        if (g.DilationHeight != 1 || g.DilationWidth != 1) throw new ArgumentException($"{op}: average pooling has no dilation: {g}.", nameof(g));
        q.Validate(nameof(q));
        CheckLengths(g, batch, input, output, op);
        int outHeight = g.OutHeight, outWidth = g.OutWidth;
        float qnnpackMultiplier = QAvgPool2d.QnnpackMultiplier(q.Scale, g.KernelHeight * g.KernelWidth);
        Span<int> sums = stackalloc int[Math.Min(g.Planes, WindowChunk)];
        for (int n = 0; n < batch; n++)
        {
            for (int i = 0; i < outHeight; i++)
            {
                int h0 = i * g.StrideHeight - g.PadHeight, h1 = Math.Min(h0 + g.KernelHeight, g.InHeight + g.PadHeight);
                for (int j = 0; j < outWidth; j++)
                {
                    int w0 = j * g.StrideWidth - g.PadWidth, w1 = Math.Min(w0 + g.KernelWidth, g.InWidth + g.PadWidth);
                    var window = new PlaneWindow(Math.Max(h0, 0), Math.Min(h1, g.InHeight), Math.Max(w0, 0), Math.Min(w1, g.InWidth));
                    float multiplier = g.CeilMode ? (float)(1.0 / (countIncludePad ? (h1 - h0) * (w1 - w0) : window.Count)) : qnnpackMultiplier;
                    Window(g.Planes, g.InHeight, g.InWidth, window, multiplier, q.ZeroPoint, n, input,
                        output.Slice(((n * outHeight + i) * outWidth + j) * g.Planes, g.Planes), sums);
                }
            }
        }
    }

    /// <summary>Adaptive average pooling of <paramref name="batch"/> samples [H, W, C] → [OH, OW, C], as <see cref="QAdaptiveAvgPool2d"/>.</summary>
    public static void AdaptiveAverage(
        int channels, int inHeight, int inWidth, int outHeight, int outWidth, ActivationQParams q, int batch, ReadOnlySpan<byte> input, Span<byte> output)
    {
        const string op = "ChannelsLastPooling.AdaptiveAverage";
        q.Validate(nameof(q));
        ReferenceChecks.Length(input.Length, (long)batch * channels * inHeight * inWidth, nameof(input), op, $"[{batch}, {inHeight}, {inWidth}, {channels}] (NHWC)");
        ReferenceChecks.Length(output.Length, (long)batch * channels * outHeight * outWidth, nameof(output), op, $"[{batch}, {outHeight}, {outWidth}, {channels}] (NHWC)");
        if (inHeight == outHeight && inWidth == outWidth)
        {
            // One-pixel windows: z + round((float)(x − z) · 1) is x, so the pool is a copy (MobileNetV2 on MNIST
            // reaches it at 1×1, where the per-channel loop below cost as much as a convolution).
            input.CopyTo(output);
            return;
        }
        bool viaQnnpack = inHeight % outHeight == 0 && inWidth % outWidth == 0;   // one-pixel windows left above
        Span<int> sums = stackalloc int[Math.Min(channels, WindowChunk)];
        for (int n = 0; n < batch; n++)
        {
            for (int i = 0; i < outHeight; i++)
            {
                int top = i * inHeight / outHeight, bottom = ((i + 1) * inHeight + outHeight - 1) / outHeight;
                for (int j = 0; j < outWidth; j++)
                {
                    int left = j * inWidth / outWidth, right = ((j + 1) * inWidth + outWidth - 1) / outWidth;
                    var window = new PlaneWindow(top, bottom, left, right);
                    float multiplier = viaQnnpack ? QAvgPool2d.QnnpackMultiplier(q.Scale, window.Count) : (float)(1.0 / window.Count);
                    Window(channels, inHeight, inWidth, window, multiplier, q.ZeroPoint, n, input,
                        output.Slice(((n * outHeight + i) * outWidth + j) * channels, channels), sums);
                }
            }
        }
    }

    /// <summary>Channels summed at once: their int32 sums on the stack.</summary>
    private const int WindowChunk = 1024;

    /// <summary>
    /// One output pixel: for each channel <c>z + round_half_even((float)Σ(x − z) · m)</c> over the window. NHWC keeps a
    /// pixel's channels together, so the window's pixels are added a vector of channels at a time into int32 sums;
    /// <c>Σ(x − z)</c> is <c>Σx − count·z</c>, exactly, in int32. <paramref name="sums"/> is the caller's room for one
    /// chunk of them, made once for every output pixel.
    /// </summary>
    [MethodImpl(HotLoop.Compiled)]
    private static void Window(
        int channels, int inHeight, int inWidth, PlaneWindow window, float multiplier, int zeroPoint, int sample, ReadOnlySpan<byte> input,
        Span<byte> pixel, Span<int> sums)
    {
        ReadOnlySpan<byte> image = input.Slice(sample * inHeight * inWidth * channels, inHeight * inWidth * channels);
        int offset = window.Count * zeroPoint;
        int done = Vector256.IsHardwareAccelerated && window.Count <= WordWindow
            ? WindowInWords(image, channels, inWidth, window, offset, multiplier, zeroPoint, pixel)
            : 0;
        for (int first = done; first < channels; first += WindowChunk)
        {
            int count = Math.Min(WindowChunk, channels - first);
            Span<int> chunk = sums.Slice(0, count);
            chunk.Clear();
            for (int r = window.Top; r < window.Bottom; r++)
            {
                for (int c = window.Left; c < window.Right; c++) Accumulate(image.Slice((r * inWidth + c) * channels + first, count), chunk);
            }

            Requantized(chunk, offset, multiplier, zeroPoint, pixel.Slice(first, count));
        }
    }

    /// <summary>The most pixels whose bytes a uint16 sum holds: 257 · 255 = 65,535.</summary>
    private const int WordWindow = ushort.MaxValue / byte.MaxValue;

    /// <summary>
    /// The window's whole 32-channel chunks, each summed in two vectors of uint16 lanes held in registers across the
    /// window's pixels, then widened and requantized as <see cref="Requantized"/>; returns how many channels it took.
    /// MobileNetV2's 7×7×1280 pool at 224×224 (the kernel alone, median of 20,000 calls): 5.3 µs with the sums going
    /// through memory a pixel at a time, 2.5 µs so.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WindowInWords(
        ReadOnlySpan<byte> image, int channels, int inWidth, PlaneWindow window, int offset, float multiplier, int zeroPoint, Span<byte> pixel)
    {
        var requantize = new SumRequantizer(offset, multiplier, zeroPoint);
        ref byte x = ref MemoryMarshal.GetReference(image);
        ref byte y = ref MemoryMarshal.GetReference(pixel);
        int c0 = 0;
        for (; c0 + 32 <= channels; c0 += 32)
        {
            Vector256<ushort> lower = default, upper = default;
            for (int r = window.Top; r < window.Bottom; r++)
            {
                for (int c = window.Left; c < window.Right; c++)
                {
                    (Vector256<ushort> first, Vector256<ushort> second) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)((r * inWidth + c) * channels + c0)));
                    lower += first;
                    upper += second;
                }
            }
            (Vector256<uint> s0, Vector256<uint> s1) = Vector256.Widen(lower);
            (Vector256<uint> s2, Vector256<uint> s3) = Vector256.Widen(upper);
            Vector256<short> words0 = Vector256.Narrow(requantize.Of(s0.AsInt32()), requantize.Of(s1.AsInt32()));
            Vector256<short> words1 = Vector256.Narrow(requantize.Of(s2.AsInt32()), requantize.Of(s3.AsInt32()));
            Vector256.Narrow(words0.AsUInt16(), words1.AsUInt16()).StoreUnsafe(ref y, (nuint)c0);   // each in [0, 255]: exact
        }
        return c0;
    }

    /// <summary>
    /// <c>pixel[i] = Requantize.ToUInt8(sums[i] − offset, multiplier, zeroPoint, OutputRange.Full)</c>, sixteen channels a
    /// step where 256-bit vectors are fast: the same float product, clamped and then rounded half to even, so the bytes
    /// are the reference's. Channel by channel, MobileNetV2's 7×7×1280 pool at 224×224 took 7.9 µs instead of 5.3.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Requantized(ReadOnlySpan<int> sums, int offset, float multiplier, int zeroPoint, Span<byte> pixel)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var requantize = new SumRequantizer(offset, multiplier, zeroPoint);
            ref int s = ref MemoryMarshal.GetReference(sums);
            ref byte y = ref MemoryMarshal.GetReference(pixel);
            for (; i + 16 <= sums.Length; i += 16)
            {
                Vector256<short> words = Vector256.Narrow(requantize.Of(Vector256.LoadUnsafe(ref s, (nuint)i)), requantize.Of(Vector256.LoadUnsafe(ref s, (nuint)i + 8)));
                Vector128.Narrow(words.GetLower().AsUInt16(), words.GetUpper().AsUInt16()).StoreUnsafe(ref y, (nuint)i);
            }
        }
        for (; i < sums.Length; i++) pixel[i] = Requantize.ToUInt8(sums[i] - offset, multiplier, zeroPoint, OutputRange.Full);
    }

    /// <summary>
    /// Eight window sums to output bytes as int32 in [0, 255] (so narrowing them is exact): <see cref="Requantize.ToUInt8"/>'s
    /// float product, clamped and then rounded half to even, and its zero point.
    /// </summary>
    private readonly struct SumRequantizer(int offset, float multiplier, int zeroPoint)
    {
        private readonly Vector256<float> m = Vector256.Create(multiplier);
        private readonly Vector256<float> low = Vector256.Create((float)(OutputRange.Full.Min - zeroPoint));
        private readonly Vector256<float> high = Vector256.Create((float)(OutputRange.Full.Max - zeroPoint));
        private readonly Vector256<int> shift = Vector256.Create(offset);
        private readonly Vector256<int> zero = Vector256.Create(zeroPoint);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<int> Of(Vector256<int> sum) =>
            Vector256.ConvertToInt32(Vector256.Round(Vector256.Min(Vector256.Max(Vector256.ConvertToSingle(sum - shift) * m, low), high))) + zero;
    }

    /// <summary><c>sums[i] += bytes[i]</c>, 32 bytes a step where 256-bit vectors are fast.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(ReadOnlySpan<byte> bytes, Span<int> sums)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref byte x = ref MemoryMarshal.GetReference(bytes);
            ref int y = ref MemoryMarshal.GetReference(sums);
            for (; i + 32 <= bytes.Length; i += 32)
            {
                (Vector256<ushort> low, Vector256<ushort> high) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)i));
                (Vector256<uint> a, Vector256<uint> b) = Vector256.Widen(low);
                (Vector256<uint> c, Vector256<uint> d) = Vector256.Widen(high);
                (Vector256.LoadUnsafe(ref y, (nuint)i) + a.AsInt32()).StoreUnsafe(ref y, (nuint)i);
                (Vector256.LoadUnsafe(ref y, (nuint)i + 8) + b.AsInt32()).StoreUnsafe(ref y, (nuint)i + 8);
                (Vector256.LoadUnsafe(ref y, (nuint)i + 16) + c.AsInt32()).StoreUnsafe(ref y, (nuint)i + 16);
                (Vector256.LoadUnsafe(ref y, (nuint)i + 24) + d.AsInt32()).StoreUnsafe(ref y, (nuint)i + 24);
            }
        }

        for (; i < bytes.Length; i++) sums[i] += bytes[i];
    }

    private static void CheckLengths(in PoolGeometry g, int batch, ReadOnlySpan<byte> input, Span<byte> output, string op)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ReferenceChecks.Length(input.Length, (long)batch * g.Planes * g.InHeight * g.InWidth, nameof(input), op, $"[{batch}, {g.InHeight}, {g.InWidth}, {g.Planes}] (NHWC)");
        ReferenceChecks.Length(output.Length, (long)batch * g.Planes * g.OutHeight * g.OutWidth, nameof(output), op, $"[{batch}, {g.OutHeight}, {g.OutWidth}, {g.Planes}] (NHWC)");
    }
}
