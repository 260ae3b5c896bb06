using System.Runtime.CompilerServices;

namespace QuantGen.Kernels.Float;

/// <summary>
/// Depthwise convolution vectorised across channels, for images too small to fill a vector row (MobileNetV2's
/// 4×4, 2×2 and 1×1 stages, where a plane kernel would leave most lanes idle). The input is transposed to
/// pixel-major [pixel][channel], each output pixel sums only the taps that land inside the image (so padding
/// costs nothing), and the result is transposed back to NCHW. Weights are read tap-major,
/// [tap][channel], from <see cref="PackedConvWeights"/> or transposed into scratch.
/// </summary>
internal static unsafe class DepthwiseChannels
{
    public static int PaddedChannels(in ConvGeometry g) => Panels.Padded(g.OutChannels);

    /// <summary>Scratch for the transposed input and output and the padded bias; plus the weights if not packed.</summary>
    public static long ScratchFloats(in ConvGeometry g, bool weightsPacked) =>
        (long)PaddedChannels(g) * (g.InHeight * g.InWidth + g.OutHeight * g.OutWidth + 1 + (weightsPacked ? 0 : g.KernelHeight * g.KernelWidth));

    /// <summary>Writes weight [channel][tap] as [tap][padded channel], zero in the padding.</summary>
    public static void TransposeWeights(in ConvGeometry g, float* weight, float* destination)
    {
        int taps = g.KernelHeight * g.KernelWidth, channels = PaddedChannels(g);
        for (int t = 0; t < taps; t++)
        {
            for (int c = 0; c < channels; c++) destination[t * channels + c] = c < g.OutChannels ? weight[c * taps + t] : 0f;
        }
    }

    public static void Run<TPath, TVector>(ConvGeometry g, float* input, float* tapMajorWeight, float* bias, float* output, float* scratch)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
    {
        int channels = PaddedChannels(g), inPixels = g.InHeight * g.InWidth, outPixels = g.OutHeight * g.OutWidth;
        float* pixels = scratch;                              // [inPixels][channels]
        float* results = pixels + (long)inPixels * channels;  // [outPixels][channels]
        float* start = results + (long)outPixels * channels;  // [channels]: bias, zero-padded
        for (int c = 0; c < channels; c++) start[c] = bias != null && c < g.OutChannels ? bias[c] : 0f;
        new Span<float>(pixels, inPixels * channels).Clear(); // padding channels stay zero
        int multiplier = g.OutChannels / g.InChannels;
        for (int image = 0; image < g.Batch; image++)
        {
            float* source = input + (long)image * g.InChannels * inPixels;
            for (int c = 0, outChannel = 0; c < g.InChannels; c++)
            {
                float* plane = source + c * inPixels;
                for (int copy = 0; copy < multiplier; copy++, outChannel++)
                {
                    for (int p = 0; p < inPixels; p++) pixels[p * channels + outChannel] = plane[p];
                }
            }
            for (int y = 0; y < g.OutHeight; y++)
            {
                for (int x = 0; x < g.OutWidth; x++)
                {
                    OnePixel<TPath, TVector>(g, y, x, pixels, tapMajorWeight, start, results + (long)(y * g.OutWidth + x) * channels, channels);
                }
            }
            float* target = output + (long)image * g.OutChannels * outPixels;
            for (int c = 0; c < g.OutChannels; c++)
            {
                for (int p = 0; p < outPixels; p++) target[c * outPixels + p] = results[p * channels + c];
            }
        }
    }

    /// <summary>Output pixel (y, x) for every channel: bias plus the taps that fall inside the input.</summary>
    [SkipLocalsInit]
    private static void OnePixel<TPath, TVector>(
        in ConvGeometry g, int y, int x, float* pixels, float* weight, float* start, float* result, int channels)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
    {
        int taps = g.KernelHeight * g.KernelWidth;
        float** tapWeights = stackalloc float*[taps];
        float** tapInputs = stackalloc float*[taps];
        int inside = 0;
        int top = y * g.StrideHeight - g.PadHeight, left = x * g.StrideWidth - g.PadWidth;
        for (int ky = 0; ky < g.KernelHeight; ky++)
        {
            int row = top + ky * g.DilationHeight;
            if ((uint)row >= (uint)g.InHeight) continue;
            for (int kx = 0; kx < g.KernelWidth; kx++)
            {
                int column = left + kx * g.DilationWidth;
                if ((uint)column >= (uint)g.InWidth) continue;
                tapWeights[inside] = weight + (long)(ky * g.KernelWidth + kx) * channels;
                tapInputs[inside] = pixels + (long)(row * g.InWidth + column) * channels;
                inside++;
            }
        }
        for (int c = 0; c < channels; c += TPath.Count)
        {
            TVector sum = TPath.Load(start + c);
            for (int t = 0; t < inside; t++) sum = TPath.MultiplyAdd(TPath.Load(tapWeights[t] + c), TPath.Load(tapInputs[t] + c), sum);
            TPath.Store(result + c, sum);
        }
    }
}
