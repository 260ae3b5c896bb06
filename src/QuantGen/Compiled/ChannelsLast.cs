using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;

namespace QuantGen.Compiled;

/// <summary>
/// The layout of quint8 values in a generated int8 forward pass: channels-last (NHWC), the order the fast kernels
/// read. A sample of <c>channels</c> planes of <c>pixels</c> values is stored pixel by pixel; with one channel or one
/// pixel that is the NCHW order too, and these helpers copy straight through.
/// </summary>
internal static class ChannelsLast
{
    public static bool Differs(int channels, int pixels) => channels > 1 && pixels > 1;

    /// <summary>Pixels of every channel quantized at once before they are interleaved: 4 KB of bytes on the stack.</summary>
    private const int QuantizeBlockBytes = 4096;

    /// <summary>
    /// Float NCHW samples → quint8 NHWC: PyTorch's quantize of each value, stored transposed. Three channels (an RGB
    /// image) are quantized and interleaved in registers (<see cref="QuantizeThree"/>); any other count a block of
    /// pixels at a time, plane by plane with the SIMD kernel, then interleaved byte by byte.
    /// </summary>
    public static void Quantize(ReadOnlySpan<float> input, ActivationQParams q, int channels, int pixels, Span<byte> output)
    {
        if (!Differs(channels, pixels))
        {
            Int8Quantize.Activations(input, q, output);
            return;
        }
        ReferenceChecks.SameLength(input.Length, output.Length, "Quantize (NCHW → NHWC)");
        if (channels == 3 && QuantizeSixteen.IsSupported && Ssse3.IsSupported)
        {
            q.Validate(nameof(q));
            // The paths that take zmm quantize a plane's sixteen values in one register.
            bool zmm = Int8KernelPaths.TakesZmm(Int8KernelPaths.Current) && QuantizeSixteenZmm.IsSupported;
            for (int s = 0; s < input.Length; s += channels * pixels)
            {
                ReadOnlySpan<float> sample = input.Slice(s, channels * pixels);
                Span<byte> bytes = output.Slice(s, channels * pixels);
                if (zmm) QuantizeThree<QuantizeSixteenZmm>(sample, q, pixels, bytes);
                else QuantizeThree<QuantizeSixteen>(sample, q, pixels, bytes);
            }
            return;
        }
        if (channels > QuantizeBlockBytes)
        {
            QuantizeScalar(input, q, channels, pixels, output);
            return;
        }

        int block = Math.Min(QuantizeBlockBytes / channels, pixels);
        Span<byte> planes = stackalloc byte[channels * block];
        for (int s = 0; s < input.Length; s += channels * pixels)
        {
            for (int first = 0; first < pixels; first += block)
            {
                int count = Math.Min(block, pixels - first);
                for (int c = 0; c < channels; c++)
                {
                    Int8Quantize.Activations(input.Slice(s + c * pixels + first, count), q, planes.Slice(c * block, count));
                }

                Span<byte> pixelsOut = output.Slice(s + first * channels, count * channels);
                for (int c = 0; c < channels; c++)
                {
                    ReadOnlySpan<byte> plane = planes.Slice(c * block, count);
                    for (int p = 0; p < count; p++) pixelsOut[p * channels + c] = plane[p];
                }
            }
        }
    }

    /// <summary>
    /// One sample of three planes of <paramref name="pixels"/> floats as pixels of three bytes: 16 pixels at a time,
    /// each plane's 16 values quantized in registers (<see cref="QuantizeSixteen"/>) and each 16 output bytes the or
    /// of three byte shuffles, one per plane; the last pixels value by value. The 224×224 input took 44 µs when its
    /// planes were quantized into a buffer on the stack and interleaved from it, 28 µs so (Sapphire Rapids, <c>--steps</c>).
    /// </summary>
    [MethodImpl(HotLoop.Compiled)]
    private static unsafe void QuantizeThree<TSixteen>(ReadOnlySpan<float> planes, ActivationQParams q, int pixels, Span<byte> output)
        where TSixteen : struct, IQuantizeSixteen<TSixteen>
    {
        var sixteen = TSixteen.For(q);
        Vector128<byte> r0 = RedPicks0, g0 = GreenPicks0, b0 = BluePicks0;
        Vector128<byte> r1 = RedPicks1, g1 = GreenPicks1, b1 = BluePicks1;
        Vector128<byte> r2 = RedPicks2, g2 = GreenPicks2, b2 = BluePicks2;
        fixed (float* first = planes)
        fixed (byte* bytes = output)
        {
            float* red = first, green = first + pixels, blue = first + 2 * pixels;
            int p = 0;
            for (; p + 16 <= pixels; p += 16)
            {
                Vector128<byte> r = sixteen.Bytes(red + p), g = sixteen.Bytes(green + p), b = sixteen.Bytes(blue + p);
                byte* to = bytes + 3 * p;
                (Ssse3.Shuffle(r, r0) | Ssse3.Shuffle(g, g0) | Ssse3.Shuffle(b, b0)).Store(to);
                (Ssse3.Shuffle(r, r1) | Ssse3.Shuffle(g, g1) | Ssse3.Shuffle(b, b1)).Store(to + 16);
                (Ssse3.Shuffle(r, r2) | Ssse3.Shuffle(g, g2) | Ssse3.Shuffle(b, b2)).Store(to + 32);
            }
            for (; p < pixels; p++)
            {
                bytes[3 * p] = Kernels.Reference.Quantize.ToUInt8(red[p], q);
                bytes[3 * p + 1] = Kernels.Reference.Quantize.ToUInt8(green[p], q);
                bytes[3 * p + 2] = Kernels.Reference.Quantize.ToUInt8(blue[p], q);
            }
        }
    }

    // Output vector k's bytes of each plane's channel, taken from that plane's 16 bytes (the others zeroed): built once,
    // not per block, and read by the JIT as constants.
    private static readonly Vector128<byte> RedPicks0 = Picks(0, 0), GreenPicks0 = Picks(0, 1), BluePicks0 = Picks(0, 2);
    private static readonly Vector128<byte> RedPicks1 = Picks(1, 0), GreenPicks1 = Picks(1, 1), BluePicks1 = Picks(1, 2);
    private static readonly Vector128<byte> RedPicks2 = Picks(2, 0), GreenPicks2 = Picks(2, 1), BluePicks2 = Picks(2, 2);

    /// <summary>
    /// The <c>pshufb</c> control for output vector <paramref name="k"/> (bytes 16k…16k+15 of 16 pixels) from plane
    /// <paramref name="channel"/>: byte j is pixel (16k + j) / 3's if (16k + j) % 3 is the channel, else 0x80 (a zero).
    /// </summary>
    private static Vector128<byte> Picks(int k, int channel)
    {
        Span<byte> control = stackalloc byte[16];
        for (int j = 0; j < 16; j++)
        {
            int at = 16 * k + j;
            control[j] = at % 3 == channel ? (byte)(at / 3) : (byte)0x80;
        }
        return Vector128.Create((ReadOnlySpan<byte>)control);
    }

    /// <summary>Value by value, for samples of more channels than a block holds (no real model's input).</summary>
    private static void QuantizeScalar(ReadOnlySpan<float> input, ActivationQParams q, int channels, int pixels, Span<byte> output)
    {
        for (int s = 0; s < input.Length; s += channels * pixels)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int p = 0; p < pixels; p++) output[s + p * channels + c] = Kernels.Reference.Quantize.ToUInt8(input[s + c * pixels + p], q);
            }
        }
    }

    /// <summary>Quint8 NHWC samples → float NCHW: PyTorch's dequantize of each value, stored transposed.</summary>
    public static void Dequantize(ReadOnlySpan<byte> input, ActivationQParams q, int channels, int pixels, Span<float> output)
    {
        if (!Differs(channels, pixels))
        {
            Kernels.Reference.Dequantize.Activations(input, q, output);
            return;
        }
        ReferenceChecks.SameLength(input.Length, output.Length, "Dequantize (NHWC → NCHW)");
        for (int s = 0; s < input.Length; s += channels * pixels)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int p = 0; p < pixels; p++) output[s + c * pixels + p] = Kernels.Reference.Dequantize.FromUInt8(input[s + p * channels + c], q);
            }
        }
    }

    /// <summary>Quint8 NCHW samples → NHWC: PyTorch's order into the one the kernels read.</summary>
    public static void ToChannelsLast(ReadOnlySpan<byte> input, int channels, int pixels, Span<byte> output)
    {
        ReferenceChecks.SameLength(input.Length, output.Length, "NCHW → NHWC");
        for (int s = 0; s < input.Length; s += channels * pixels)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int p = 0; p < pixels; p++) output[s + p * channels + c] = input[s + c * pixels + p];
            }
        }
    }

    /// <summary>Quint8 NHWC samples → NCHW: the order PyTorch's Flatten gives.</summary>
    public static void ToChannelsFirst(ReadOnlySpan<byte> input, int channels, int pixels, Span<byte> output)
    {
        ReferenceChecks.SameLength(input.Length, output.Length, "Flatten (NHWC → NCHW)");
        for (int s = 0; s < input.Length; s += channels * pixels)
        {
            for (int p = 0; p < pixels; p++)
            {
                for (int c = 0; c < channels; c++) output[s + c * pixels + p] = input[s + p * channels + c];
            }
        }
    }
}
