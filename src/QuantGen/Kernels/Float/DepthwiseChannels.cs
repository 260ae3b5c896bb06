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
        int outChannels = g.OutChannels, outHeight = g.OutHeight, outWidth = g.OutWidth;
        if (bias != null) RowCopy.Copy(start, bias, outChannels);
        else new Span<float>(start, outChannels).Clear();
        for (int p = 0; p < inPixels; p++) new Span<float>(pixels + (long)p * channels + outChannels, channels - outChannels).Clear();
        new Span<float>(start + outChannels, channels - outChannels).Clear(); // padding channels stay zero
        int multiplier = outChannels / g.InChannels;
        for (int image = 0; image < g.Batch; image++)
        {
            ToPixelMajor(input + (long)image * g.InChannels * inPixels, g.InChannels, multiplier, inPixels, pixels, channels);
            for (int y = 0; y < outHeight; y++)
            {
                for (int x = 0; x < outWidth; x++)
                {
                    OnePixel<TPath, TVector>(g, y, x, pixels, tapMajorWeight, start, results + (long)(y * outWidth + x) * channels, channels);
                }
            }
            float* target = output + (long)image * outChannels * outPixels;
            if (outPixels == 1)
            {
                RowCopy.Copy(target, results, outChannels); // one pixel: both layouts are the same
                continue;
            }
            for (int p = 0; p < outPixels; p++)
            {
                float* result = results + (long)p * channels;
                for (int c = 0; c < outChannels; c++) target[c * outPixels + p] = result[c];
            }
        }
    }

    /// <summary>
    /// [channel][pixel] → [pixel][channel × multiplier], each channel repeated for its multiplier outputs. Pixel by
    /// pixel, so the inner loop runs over all channels with no per-channel overhead (the images are tiny).
    /// </summary>
    private static void ToPixelMajor(float* source, int inChannels, int multiplier, int pixelCount, float* pixels, int paddedChannels)
    {
        if (pixelCount == 1 && multiplier == 1)
        {
            RowCopy.Copy(pixels, source, inChannels); // one pixel: both layouts are the same
            return;
        }
        for (int p = 0; p < pixelCount; p++)
        {
            float* row = pixels + (long)p * paddedChannels;
            if (multiplier == 1)
            {
                for (int c = 0; c < inChannels; c++) row[c] = source[c * pixelCount + p];
                continue;
            }
            for (int c = 0, outChannel = 0; c < inChannels; c++)
            {
                float value = source[c * pixelCount + p];
                for (int copy = 0; copy < multiplier; copy++) row[outChannel++] = value;
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
