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
    /// Float NCHW samples → quint8 NHWC: PyTorch's quantize of each value, stored transposed. A block of pixels is
    /// quantized plane by plane with the SIMD kernel (the float math, the costly part), then interleaved byte by byte.
    /// </summary>
    public static void Quantize(ReadOnlySpan<float> input, ActivationQParams q, int channels, int pixels, Span<byte> output)
    {
        if (!Differs(channels, pixels))
        {
            Int8Quantize.Activations(input, q, output);
            return;
        }
        ReferenceChecks.SameLength(input.Length, output.Length, "Quantize (NCHW → NHWC)");
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
