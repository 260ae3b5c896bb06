using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// A direct convolution for few input channels (a network's stem: MobileNetV2's 1 → 32, 3×3, stride 2) on
/// channels-last data, vectorized across output channels: per output pixel the receptive field's bytes (tap-major,
/// channel-minor; the zero point outside the image) are taken two at a time as int16 pairs, broadcast, and met by
/// <c>vpmaddwd</c> with the pre-widened weights <c>w − z_w</c> of 32 output channels, into int32:
/// <c>acc[c] = Offsets[c] + Σ_k x_k·(w_k[c] − z_w[c])</c>, <c>Offsets[c] = bias[c] − z_in·Σ_k (w_k[c] − z_w[c])</c>.
/// </summary>
/// <remarks>
/// Every pair sum is at most 2·255·255 &lt; 2³¹, so each <c>vpmaddwd</c> is exact and the int32 sum wraps as the
/// reference's. Replaces im2col + GEMM, whose packing and row sums cost more than the 9 multiply-adds of a 1-channel tap.
/// </remarks>
internal sealed unsafe class QDirect
{
    /// <summary>The most input channels this kernel takes; wider inputs go through im2col and the GEMM.</summary>
    public const int MaxInputChannels = 4;

    /// <summary>The longest receptive field (Cin·kH·kW) taken: its int16 copy lives on the stack.</summary>
    public const int MaxDepth = 1024;

    private readonly ConvGeometry g;
    private readonly int depth, pairCount, stride;
    private readonly PinnedBuffer<int> weights;
    private readonly Epilogue e;
    private readonly short zeroPoint;
    private readonly bool wide;

    /// <summary>Packs <paramref name="weight"/>, [Cout, kH, kW, Cin]: the order of one receptive field over NHWC input.</summary>
    public QDirect(
        in ConvGeometry geometry, ReadOnlySpan<sbyte> weight, WeightQParams weightQ, ReadOnlySpan<int> bias,
        ActivationQParams inputQ, ActivationQParams outputQ, OutputRange range, Int8KernelPath path)
    {
        g = geometry;
        depth = g.InChannels * g.KernelHeight * g.KernelWidth;
        pairCount = (depth + 1) / 2;
        stride = Epilogue.PaddedLength(g.OutChannels);
        zeroPoint = (short)inputQ.ZeroPoint;
        wide = path is Int8KernelPath.Avx512BW or Int8KernelPath.AvxVnni && Int8KernelPaths.IsSupported(Int8KernelPath.Avx512BW);
        e = new Epilogue(g.OutChannels, inputQ.Scale, weightQ, outputQ, range, needsWeightZeroPoints: false);
        weights = new PinnedBuffer<int>(pairCount * stride);
        Span<short> packed = System.Runtime.InteropServices.MemoryMarshal.Cast<int, short>(weights.Span);
        Span<int> offsets = e.OffsetSpan;
        for (int c = 0; c < g.OutChannels; c++)
        {
            int sum = 0;
            for (int k = 0; k < depth; k++)
            {
                int w = weight[c * depth + k] - weightQ.ZeroPoint(c);
                packed[2 * ((k / 2) * stride + c) + k % 2] = (short)w;
                sum += w;
            }
            unchecked { offsets[c] = (bias.IsEmpty ? 0 : bias[c]) - inputQ.ZeroPoint * sum; }
        }
    }

    public static bool Supports(in ConvGeometry g, Int8KernelPath path) =>
        g.Groups == 1 && g.InChannels <= MaxInputChannels && !g.IsPointwise
        && g.InChannels * g.KernelHeight * g.KernelWidth <= MaxDepth && path is Int8KernelPath.Avx2 or Int8KernelPath.Avx512BW or Int8KernelPath.AvxVnni;

    /// <summary>Output [batch, OH, OW, Cout] from input [batch, H, W, Cin].</summary>
    public void Run(byte* input, byte* output, int batch)
    {
        int cin = g.InChannels, cout = g.OutChannels;
        short* x = stackalloc short[2 * pairCount];   // on the stack: runs on several threads share one instance
        x[2 * pairCount - 1] = 0;   // an odd depth's last pair meets a zero weight; keep its partner finite
        int row = g.KernelWidth * cin;
        var windows = new ConvWindows(g);
        bool contiguous = g.DilationWidth == 1;   // the window's rows are contiguous only without dilation
        for (int n = 0; n < batch; n++)
        {
            byte* image = input + (long)n * g.InHeight * g.InWidth * cin;
            for (int oy = 0; oy < windows.OutHeight; oy++)
            {
                bool rowInside = contiguous && windows.RowInside(oy);
                for (int ox = 0; ox < windows.OutWidth; ox++, output += cout)
                {
                    if (rowInside && windows.ColumnInside(ox))
                    {
                        byte* corner = windows.Corner(image, oy, ox);
                        short* to = x;
                        for (int ky = 0; ky < g.KernelHeight; ky++, to += row)
                        {
                            byte* from = corner + (long)ky * g.DilationHeight * g.InWidth * cin;
                            for (int j = 0; j < row; j++) to[j] = from[j];
                        }
                    }
                    else
                    {
                        Gather(windows, image, oy, ox, x);
                    }
                    if (wide) Pixel512((int*)x, output);
                    else Pixel((int*)x, output);
                }
            }
        }
    }

    private void Gather(in ConvWindows windows, byte* image, int oy, int ox, short* x)
    {
        int cin = g.InChannels;
        for (int ky = 0; ky < g.KernelHeight; ky++)
        {
            int iy = windows.Row(oy, ky);
            for (int kx = 0; kx < g.KernelWidth; kx++, x += cin)
            {
                byte* pixel = windows.Pixel(image, iy, windows.Column(ox, kx));
                for (int ci = 0; ci < cin; ci++) x[ci] = pixel == null ? zeroPoint : pixel[ci];
            }
        }
    }

    /// <summary>As <see cref="Pixel"/> with two zmm accumulators for the 32 channels.</summary>
    private void Pixel512(int* x, byte* y)
    {
        int cout = g.OutChannels, stride = this.stride, pairCount = this.pairCount;
        for (int c0 = 0; c0 < cout; c0 += 32)
        {
            int* w = weights.Pointer + c0;
            Vector512<int> acc0 = default, acc1 = default;
            for (int p = 0; p < pairCount; p++, w += stride)
            {
                var pair = Vector512.Create(x[p]).AsInt16();
                acc0 += Avx512BW.MultiplyAddAdjacent(pair, Vector512.Load(w).AsInt16());
                acc1 += Avx512BW.MultiplyAddAdjacent(pair, Vector512.Load(w + 16).AsInt16());
            }
            Epilogue512.Write(Epilogue512.Bytes(e, acc0, acc1, c0), y + c0, Math.Min(32, cout - c0));
        }
    }

    /// <summary>32 output channels a step: four int32 accumulators share each broadcast pair.</summary>
    private void Pixel(int* x, byte* y)
    {
        int cout = g.OutChannels, stride = this.stride, pairCount = this.pairCount;
        for (int c0 = 0; c0 < cout; c0 += 32)
        {
            int* w = weights.Pointer + c0;
            Vector256<int> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            for (int p = 0; p < pairCount; p++, w += stride)
            {
                var pair = Vector256.Create(x[p]).AsInt16();
                acc0 += Avx2.MultiplyAddAdjacent(pair, Vector256.Load(w).AsInt16());
                acc1 += Avx2.MultiplyAddAdjacent(pair, Vector256.Load(w + 8).AsInt16());
                acc2 += Avx2.MultiplyAddAdjacent(pair, Vector256.Load(w + 16).AsInt16());
                acc3 += Avx2.MultiplyAddAdjacent(pair, Vector256.Load(w + 24).AsInt16());
            }
            Epilogue256.Store(e, acc0, acc1, c0, y + c0, Math.Min(16, cout - c0));
            if (cout > c0 + 16) Epilogue256.Store(e, acc2, acc3, c0 + 16, y + c0 + 16, Math.Min(16, cout - c0 - 16));
        }
    }
}
