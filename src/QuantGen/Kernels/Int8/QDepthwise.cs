using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// Depthwise convolution (one output channel per input channel) on channels-last data, vectorized across channels:
/// for each output pixel, <c>acc[c] = Offsets[c] + Σ_taps x_tap[c]·(w_tap[c] − z_w[c])</c>, where
/// <c>Offsets[c] = bias[c] − z_in·Σ_taps (w_tap[c] − z_w[c])</c>.
/// </summary>
/// <remarks>
/// Taps outside the image read a row of input zero points, as qnnpack's zero buffer, so a padded tap adds
/// <c>z_in·w′ − z_in·w′ = 0</c> exactly (int32 with wraparound) and every pixel runs the same code. Weights are stored
/// tap-major as int32 <c>w − z_w</c> (in [−255, 255]), so the products never saturate. Any kernel size, stride,
/// padding and dilation; MobileNetV2 uses 3×3, stride 1 and 2, padding 1.
/// </remarks>
internal sealed unsafe class QDepthwise
{
    /// <summary>Tap pointers live on the stack; kernels beyond this are rejected at construction.</summary>
    public const int MaxTaps = 64;

    private readonly ConvGeometry g;
    private readonly int stride;
    private readonly PinnedBuffer<int> weights;
    private readonly PinnedBuffer<short> pairs;
    private readonly PinnedBuffer<short>? pairs512;
    private readonly bool wide;
    private readonly PinnedBuffer<byte> zeroRow;
    private readonly Epilogue e;
    private readonly Int8KernelPath path;

    public QDepthwise(
        in ConvGeometry geometry, ReadOnlySpan<sbyte> weight, WeightQParams weightQ, ReadOnlySpan<int> bias,
        ActivationQParams inputQ, ActivationQParams outputQ, OutputRange range, Int8KernelPath path)
    {
        g = geometry;
        this.path = path;
        int channels = g.OutChannels, taps = g.KernelHeight * g.KernelWidth;
        stride = Epilogue.PaddedLength(channels);
        weights = new PinnedBuffer<int>(taps * stride);
        zeroRow = new PinnedBuffer<byte>(stride);
        zeroRow.Span.Fill((byte)inputQ.ZeroPoint);
        e = new Epilogue(channels, inputQ.Scale, weightQ, outputQ, range, needsWeightZeroPoints: false);
        Span<int> offsets = e.OffsetSpan;
        for (int c = 0; c < channels; c++)
        {
            int sum = 0;
            for (int t = 0; t < taps; t++)
            {
                int w = weight[c * taps + t] - weightQ.ZeroPoint(c);
                weights.Span[t * stride + c] = w;
                sum += w;
            }
            unchecked { offsets[c] = (bias.IsEmpty ? 0 : bias[c]) - inputQ.ZeroPoint * sum; }
        }
        pairs = PackPairs(weights.Span, taps, stride, 16);
        wide = path is Int8KernelPath.Avx512BW or Int8KernelPath.AvxVnni && Int8KernelPaths.IsSupported(Int8KernelPath.Avx512BW);
        if (wide) pairs512 = PackPairs(weights.Span, taps, stride, 32);
    }

    /// <summary>
    /// The vector paths' weights: taps in pairs (an odd last tap pairs with a zero weight), int16, for each
    /// <paramref name="width"/> channels (16 for ymm, 32 for zmm) two vectors in the order <c>vpunpcklwd</c>/<c>vpunpckhwd</c>
    /// leave the two taps' channels. Both work within 128-bit lanes, so the low vector holds channels 8L..8L+3 of each
    /// lane L and the high one 8L+4..8L+7 (for ymm: 0–3 and 8–11, then 4–7 and 12–15), each channel's two taps adjacent
    /// for <c>vpmaddwd</c>.
    /// </summary>
    private static PinnedBuffer<short> PackPairs(ReadOnlySpan<int> weights, int taps, int stride, int width)
    {
        int pairCount = (taps + 1) / 2, chunks = stride / width, halfWidth = width / 2;
        var packed = new PinnedBuffer<short>(pairCount * stride * 2);
        Span<short> p = packed.Span;
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            for (int pair = 0; pair < pairCount; pair++)
            {
                int at = (chunk * pairCount + pair) * 2 * width;
                for (int j = 0; j < width; j++)
                {
                    int half = j / halfWidth, lane = j % halfWidth / 4, index = j % 4;
                    int channel = chunk * width + lane * 8 + half * 4 + index;
                    int first = 2 * pair, second = first + 1;
                    p[at + 2 * j] = (short)weights[first * stride + channel];
                    p[at + 2 * j + 1] = second < taps ? (short)weights[second * stride + channel] : (short)0;
                }
            }
        }
        return packed;
    }

    /// <summary>Output [batch, OH, OW, C] from input [batch, H, W, C].</summary>
    public void Run(byte* input, byte* output, int batch)
    {
        int taps = g.KernelHeight * g.KernelWidth, channels = g.InChannels;
        byte** tap = stackalloc byte*[taps + 1];
        tap[taps] = zeroRow.Pointer;   // an odd last tap's partner, under a zero weight
        // Pixels whose taps all lie inside the image take fixed offsets from their window's corner; the rest gather.
        long* offset = stackalloc long[taps];
        for (int ky = 0, t = 0; ky < g.KernelHeight; ky++)
        {
            for (int kx = 0; kx < g.KernelWidth; kx++, t++) offset[t] = ((long)ky * g.DilationHeight * g.InWidth + kx * g.DilationWidth) * channels;
        }
        var windows = new ConvWindows(g);
        for (int n = 0; n < batch; n++)
        {
            byte* image = input + (long)n * g.InHeight * g.InWidth * channels;
            for (int oy = 0; oy < windows.OutHeight; oy++)
            {
                bool rowInside = windows.RowInside(oy);
                for (int ox = 0; ox < windows.OutWidth; ox++, output += channels)
                {
                    if (rowInside && windows.ColumnInside(ox))
                    {
                        byte* corner = windows.Corner(image, oy, ox);
                        for (int t = 0; t < taps; t++) tap[t] = corner + offset[t];
                    }
                    else
                    {
                        Gather(windows, image, oy, ox, tap);
                    }
                    switch (path)
                    {
                        case Int8KernelPath.Scalar: Pixel(tap, output, 0); break;
                        case Int8KernelPath.Vector128: Pixel128(tap, output); break;
                        default:
                            if (wide) Pixel512(tap, output);
                            else Pixel256(tap, output, 0);
                            break;
                    }
                }
            }
        }
    }

    private void Gather(in ConvWindows windows, byte* image, int oy, int ox, byte** tap)
    {
        for (int ky = 0, t = 0; ky < g.KernelHeight; ky++)
        {
            int iy = windows.Row(oy, ky);
            for (int kx = 0; kx < g.KernelWidth; kx++, t++)
            {
                byte* pixel = windows.Pixel(image, iy, windows.Column(ox, kx));
                tap[t] = pixel == null ? zeroRow.Pointer : pixel;
            }
        }
    }

    /// <summary>Channels from <paramref name="c0"/> to the end, one at a time: the tail of the vector paths, and the scalar path.</summary>
    private void Pixel(byte** tap, byte* y, int c0)
    {
        int taps = g.KernelHeight * g.KernelWidth;
        int* w = weights.Pointer;
        for (int c = c0; c < g.InChannels; c++)
        {
            int acc = e.Offsets[c];
            for (int t = 0; t < taps; t++) acc += tap[t][c] * w[t * stride + c];
            y[c] = e.Scalar(acc, c);
        }
    }

    /// <summary>
    /// 16 channels a step, two taps at a time: both taps' bytes zero-extended to int16 and interleaved
    /// (<c>vpunpck*wd</c>), then <c>vpmaddwd</c> by the paired weights: x·w′ + x′·w″ summed exactly into int32
    /// (|255·255·2| &lt; 2³¹). The interleave works within 128-bit lanes, which <see cref="PackPairs"/> mirrors; one
    /// <c>vperm2i128</c> restores channel order before the epilogue.
    /// </summary>
    private void Pixel256(byte** tap, byte* y, int c)
    {
        int pairCount = (g.KernelHeight * g.KernelWidth + 1) / 2, channels = g.InChannels;
        short* w = pairs.Pointer + c / 16 * pairCount * 32;
        for (; c + 16 <= channels; c += 16, w += pairCount * 32)
        {
            Vector256<int> low = default, high = default;
            for (int p = 0; p < pairCount; p++)
            {
                var first = Avx2.ConvertToVector256Int16(tap[2 * p] + c);
                var second = Avx2.ConvertToVector256Int16(tap[2 * p + 1] + c);
                low += Avx2.MultiplyAddAdjacent(Avx2.UnpackLow(first, second), Vector256.Load(w + p * 32));
                high += Avx2.MultiplyAddAdjacent(Avx2.UnpackHigh(first, second), Vector256.Load(w + p * 32 + 16));
            }
            Epilogue256.Store(e, Avx2.Permute2x128(low, high, 0x20), Avx2.Permute2x128(low, high, 0x31), c, y + c, 16);
        }
        Pixel(tap, y, c);
    }

    /// <summary>
    /// 32 channels a step, as <see cref="Pixel256"/> on zmm; <c>vpermt2d</c> puts the lanes back in channel order. The
    /// channels past the last whole 32 go to <see cref="Pixel256"/>.
    /// </summary>
    private void Pixel512(byte** tap, byte* y)
    {
        int pairCount = (g.KernelHeight * g.KernelWidth + 1) / 2, channels = g.InChannels, c = 0;
        short* w = pairs512!.Pointer;
        var order0 = Vector512.Create(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
        var order1 = Vector512.Create(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
        for (; c + 32 <= channels; c += 32, w += pairCount * 64)
        {
            Vector512<int> low = default, high = default;
            for (int p = 0; p < pairCount; p++)
            {
                var first = Avx512BW.ConvertToVector512Int16(Vector256.Load(tap[2 * p] + c));
                var second = Avx512BW.ConvertToVector512Int16(Vector256.Load(tap[2 * p + 1] + c));
                low += Avx512BW.MultiplyAddAdjacent(Avx512BW.UnpackLow(first, second), Vector512.Load(w + p * 64));
                high += Avx512BW.MultiplyAddAdjacent(Avx512BW.UnpackHigh(first, second), Vector512.Load(w + p * 64 + 32));
            }
            var bytes = Epilogue512.Bytes(e, Avx512F.PermuteVar16x32x2(low, order0, high), Avx512F.PermuteVar16x32x2(low, order1, high), c);
            bytes.Store(y + c);
        }
        Pixel256(tap, y, c);
    }

    /// <summary>8 channels a step, portably: bytes widened twice to int32 lanes.</summary>
    private void Pixel128(byte** tap, byte* y)
    {
        int taps = g.KernelHeight * g.KernelWidth, c = 0;
        for (; c + 8 <= g.InChannels; c += 8)
        {
            Vector128<int> acc0 = default, acc1 = default;
            int* w = weights.Pointer + c;
            for (int t = 0; t < taps; t++, w += stride)
            {
                Vector128<ushort> x = Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(tap[t] + c)).AsByte());
                acc0 += Vector128.WidenLower(x).AsInt32() * Vector128.Load(w);
                acc1 += Vector128.WidenUpper(x).AsInt32() * Vector128.Load(w + 4);
            }
            Epilogue128.Store(e, acc0, acc1, 0, c, y + c, 8);
        }
        Pixel(tap, y, c);
    }
}
