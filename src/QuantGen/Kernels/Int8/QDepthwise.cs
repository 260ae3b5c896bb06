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
    }

    /// <summary>Output [N, OH, OW, C] from input [N, H, W, C].</summary>
    public void Run(byte* input, byte* output)
    {
        int taps = g.KernelHeight * g.KernelWidth, channels = g.InChannels;
        byte** tap = stackalloc byte*[taps];
        for (int n = 0; n < g.Batch; n++)
        {
            byte* image = input + (long)n * g.InHeight * g.InWidth * channels;
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                for (int ox = 0; ox < g.OutWidth; ox++, output += channels)
                {
                    Gather(image, oy, ox, tap);
                    switch (path)
                    {
                        case Int8KernelPath.Scalar: Pixel(tap, output, 0); break;
                        case Int8KernelPath.Vector128: Pixel128(tap, output); break;
                        default: Pixel256(tap, output); break;
                    }
                }
            }
        }
    }

    private void Gather(byte* image, int oy, int ox, byte** tap)
    {
        int t = 0;
        for (int ky = 0; ky < g.KernelHeight; ky++)
        {
            int iy = oy * g.StrideHeight - g.PadHeight + ky * g.DilationHeight;
            for (int kx = 0; kx < g.KernelWidth; kx++, t++)
            {
                int ix = ox * g.StrideWidth - g.PadWidth + kx * g.DilationWidth;
                tap[t] = (uint)iy < (uint)g.InHeight && (uint)ix < (uint)g.InWidth
                    ? image + ((long)iy * g.InWidth + ix) * g.InChannels
                    : zeroRow.Pointer;
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

    /// <summary>16 channels a step: <c>vpmovzxbd</c> the taps' bytes, <c>vpmulld</c> by the int32 weights.</summary>
    private void Pixel256(byte** tap, byte* y)
    {
        int taps = g.KernelHeight * g.KernelWidth, c = 0;
        for (; c + 16 <= g.InChannels; c += 16)
        {
            Vector256<int> acc0 = default, acc1 = default;
            int* w = weights.Pointer + c;
            for (int t = 0; t < taps; t++, w += stride)
            {
                acc0 += Avx2.ConvertToVector256Int32(tap[t] + c) * Vector256.Load(w);
                acc1 += Avx2.ConvertToVector256Int32(tap[t] + c + 8) * Vector256.Load(w + 8);
            }
            Epilogue256.Store(e, acc0, acc1, 0, c, y + c, 16);
        }
        Pixel(tap, y, c);
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
