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

    /// <summary>Float NCHW samples → quint8 NHWC: PyTorch's quantize of each value, stored transposed.</summary>
    public static void Quantize(ReadOnlySpan<float> input, ActivationQParams q, int channels, int pixels, Span<byte> output)
    {
        if (!Differs(channels, pixels))
        {
            Int8Quantize.Activations(input, q, output);
            return;
        }
        ReferenceChecks.SameLength(input.Length, output.Length, "Quantize (NCHW → NHWC)");
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
