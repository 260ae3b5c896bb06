using QuantGen.Kernels;
using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Kernels.Reference;

public sealed class QPoolingTests
{
    [Fact]
    public void MaxPoolTakesTheLargestByteAndPaddingNeverWins()
    {
        var random = new Random(17);
        for (int trial = 0; trial < 80; trial++)
        {
            PoolGeometry g = RandomPool(random, allowDilation: true);
            byte[] input = QuantizedData.Bytes(random, g.Planes * g.InHeight * g.InWidth);
            if (trial % 4 == 0) Array.Fill(input, (byte)0); // all zero: padding must not raise anything
            var output = QuantizedData.Poisoned(g.Planes * g.OutHeight * g.OutWidth);

            QMaxPool2d.Forward(g, input, output);

            bool clamps = !g.CeilMode;
            for (int p = 0; p < g.Planes; p++)
            for (int i = 0; i < g.OutHeight; i++)
            for (int j = 0; j < g.OutWidth; j++)
            {
                int expected = MaxOfWindow(g, input, p, i, j, clampToBorder: clamps);
                if (g.DilationHeight == 1 && g.DilationWidth == 1)
                {
                    // Without dilation the border pixel a clamped tap lands on is in the window anyway.
                    Assert.Equal(MaxOfWindow(g, input, p, i, j, clampToBorder: false), expected);
                }
                Assert.Equal(expected, output[(p * g.OutHeight + i) * g.OutWidth + j]);
            }
        }
    }

    [Fact]
    public void MaxPoolFollowsQnnpackWithDilationAndPadding()
    {
        // PyTorch 1.13: max_pool2d(x, (1, 2), stride 1, padding (0, 1), dilation (1, 2)) on [10 .. 60] gives
        // [20, 30, 40, 50, 60, 60]; the last window's taps are 50 and the padding past 60, and qnnpack clamps that
        // tap onto 60. With ceil_mode ATen's generic kernel skips it: [.., 60, 50].
        byte[] x = [10, 20, 30, 40, 50, 60];
        var output = new byte[6];
        QMaxPool2d.Forward(new PoolGeometry(1, 1, 6, 1, 2, 1, 1, 0, 1, 1, 2), x, output);
        Assert.Equal(new byte[] { 20, 30, 40, 50, 60, 60 }, output);
        QMaxPool2d.Forward(new PoolGeometry(1, 1, 6, 1, 2, 1, 1, 0, 1, 1, 2, CeilMode: true), x, output);
        Assert.Equal(new byte[] { 20, 30, 40, 50, 60, 50 }, output);
    }

    [Fact]
    public void AvgPoolMatchesTheDoubleRule()
    {
        var random = new Random(19);
        for (int trial = 0; trial < 120; trial++)
        {
            PoolGeometry g = RandomPool(random, allowDilation: false);
            bool countIncludePad = random.Next(2) == 0;
            var q = QuantizedData.Activation(random, 0.001, 1);
            byte[] input = trial % 3 == 0
                ? Enumerable.Range(0, g.Planes * g.InHeight * g.InWidth).Select(_ => (byte)(q.ZeroPoint / 2 + random.Next(4))).ToArray()
                : QuantizedData.Bytes(random, g.Planes * g.InHeight * g.InWidth);
            var output = QuantizedData.Poisoned(g.Planes * g.OutHeight * g.OutWidth);

            QAvgPool2d.Forward(g, countIncludePad, q, input, output);

            for (int p = 0; p < g.Planes; p++)
            for (int i = 0; i < g.OutHeight; i++)
            for (int j = 0; j < g.OutWidth; j++)
            {
                (long sum, int inputs, int padded) = WindowSum(g, input, q.ZeroPoint, p, i, j);
                // qnnpack (no ceil mode) always divides by kH·kW and scales by s / (s·kH·kW) in float32, ~1/(kH·kW);
                // ATen's generic kernel (ceil mode) by the count PyTorch's rule gives, as (float)(1.0 / count).
                int divisor = !g.CeilMode ? g.KernelHeight * g.KernelWidth : countIncludePad ? padded : inputs;
                float multiplier = !g.CeilMode ? q.Scale / (q.Scale * divisor) : (float)(1.0 / divisor);
                Assert.True(Math.Abs(multiplier * divisor - 1) <= 2 * Expected.FloatEpsilon);
                int expected = Expected.Requantized(sum, multiplier, q.ZeroPoint, 0, 255);
                Assert.True(expected == output[(p * g.OutHeight + i) * g.OutWidth + j], $"trial {trial} {g}: ({p}, {i}, {j})");
            }
        }
    }

    [Theory]
    [InlineData(0, new byte[] { 10, 12, 12, 14, 0, 2 })]
    [InlineData(7, new byte[] { 11, 11, 13, 13, 1, 1 })]
    public void AvgPoolBreaksTiesToEvenLikePyTorch(int zeroPoint, byte[] pytorch)
    {
        // PyTorch 1.13, avg_pool2d(kernel (1, 2), stride (1, 2)) at scale 0.1: means 10.5, 11.5, 12.5, 13.5, 0.5, 1.5
        // above the zero point 0; with zero point 7 the halfway points sit at 3.5, 4.5, 5.5, 6.5, −6.5, −5.5 from it.
        byte[] x = [10, 11, 11, 12, 12, 13, 13, 14, 0, 1, 1, 2];
        var output = new byte[6];
        QAvgPool2d.Forward(new PoolGeometry(1, 1, 12, 1, 2, 1, 2), countIncludePad: true, new ActivationQParams(0.1f, zeroPoint), x, output);
        Assert.Equal(pytorch, output);
    }

    [Fact]
    public void AvgPoolFollowsPyTorchOnPaddingCounts()
    {
        var q = new ActivationQParams(0.1f, 0);
        var output = new byte[3];
        // Without ceil mode PyTorch runs qnnpack, which divides by the whole kernel even with count_include_pad=False:
        // PyTorch 1.13 gives [30, 60, 50] for [30, 60, 90], kernel (1, 3), padding (0, 1), either way.
        foreach (bool countIncludePad in new[] { false, true })
        {
            QAvgPool2d.Forward(new PoolGeometry(1, 1, 3, 1, 3, 1, 1, 0, 1), countIncludePad, q, [30, 60, 90], output);
            Assert.Equal(new byte[] { 30, 60, 50 }, output);
        }
        // With ceil mode ATen's kernel honours it: [30 .. 150], kernel (1, 2), stride 2, padding (0, 1).
        byte[] x = [30, 60, 90, 120, 150];
        var ceil = new PoolGeometry(1, 1, 5, 1, 2, 1, 2, 0, 1, CeilMode: true);
        QAvgPool2d.Forward(ceil, countIncludePad: true, q, x, output);
        Assert.Equal(new byte[] { 15, 75, 135 }, output);
        QAvgPool2d.Forward(ceil, countIncludePad: false, q, x, output);
        Assert.Equal(new byte[] { 30, 75, 135 }, output);
        // And never counts the ceil-mode overhang: the last window of [30 .. 150] at stride 2 holds only 150.
        QAvgPool2d.Forward(new PoolGeometry(1, 1, 5, 1, 2, 1, 2, CeilMode: true), countIncludePad: false, q, x, output);
        Assert.Equal(new byte[] { 45, 105, 150 }, output);
    }

    [Fact]
    public void AdaptiveAvgPoolMatchesTheDoubleRule()
    {
        var random = new Random(23);
        for (int trial = 0; trial < 120; trial++)
        {
            int planes = random.Next(1, 5), inHeight = random.Next(1, 12), inWidth = random.Next(1, 12);
            int outHeight = trial % 4 == 0 ? 1 : random.Next(1, inHeight + 1), outWidth = trial % 4 == 0 ? 1 : random.Next(1, inWidth + 1);
            var q = QuantizedData.Activation(random, 0.001, 1);
            byte[] input = QuantizedData.Bytes(random, planes * inHeight * inWidth);
            var output = QuantizedData.Poisoned(planes * outHeight * outWidth);

            QAdaptiveAvgPool2d.Forward(planes, inHeight, inWidth, outHeight, outWidth, q, input, output);

            bool evenly = inHeight % outHeight == 0 && inWidth % outWidth == 0 && (inHeight, inWidth) != (outHeight, outWidth);
            for (int p = 0; p < planes; p++)
            for (int i = 0; i < outHeight; i++)
            for (int j = 0; j < outWidth; j++)
            {
                // Bins [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉), in floating point to keep the test's arithmetic apart from the kernel's.
                int top = (int)Math.Floor((double)i * inHeight / outHeight), bottom = (int)Math.Ceiling((double)(i + 1) * inHeight / outHeight);
                int left = (int)Math.Floor((double)j * inWidth / outWidth), right = (int)Math.Ceiling((double)(j + 1) * inWidth / outWidth);
                long sum = 0;
                for (int r = top; r < bottom; r++)
                for (int c = left; c < right; c++) sum += input[(p * inHeight + r) * inWidth + c] - q.ZeroPoint;
                int count = (bottom - top) * (right - left);
                float multiplier = evenly ? q.Scale / (q.Scale * count) : (float)(1.0 / count);
                int expected = Expected.Requantized(sum, multiplier, q.ZeroPoint, 0, 255);
                Assert.True(expected == output[(p * outHeight + i) * outWidth + j], $"trial {trial}: {inHeight}×{inWidth} → {outHeight}×{outWidth} at ({p}, {i}, {j})");
            }
        }
    }

    [Fact]
    public void AdaptiveAvgPoolOverlapsUnevenBinsAsPyTorch()
    {
        // PyTorch 1.13: adaptive_avg_pool2d to (1, 4) of [10, 15, .., 55] (zero point 3) averages
        // [0, 3), [2, 5), [5, 8), [7, 10): [15, 25, 40, 50].
        byte[] x = Enumerable.Range(0, 10).Select(k => (byte)(10 + 5 * k)).ToArray();
        var output = new byte[4];
        QAdaptiveAvgPool2d.Forward(1, 1, 10, 1, 4, new ActivationQParams(0.1f, 3), x, output);
        Assert.Equal(new byte[] { 15, 25, 40, 50 }, output);
    }

    [Fact]
    public void FlattenIsTheSameBytes()
    {
        byte[] nchw = QuantizedData.Bytes(new Random(29), 2 * 3 * 4 * 5);
        ReadOnlySpan<byte> flat = QFlatten.Forward(nchw);
        Assert.True(flat == nchw.AsSpan());
    }

    [Fact]
    public void RejectsBadGeometry()
    {
        var q = new ActivationQParams(0.1f, 0);
        Assert.Throws<ArgumentException>(() => QMaxPool2d.Forward(new PoolGeometry(1, 4, 4, 2, 2, 2, 2, PadHeight: 2), new byte[16], new byte[9]));
        Assert.Throws<ArgumentException>(() => QAvgPool2d.Forward(new PoolGeometry(1, 4, 4, 2, 2, 1, 1, DilationHeight: 2), true, q, new byte[16], new byte[9]));
        Assert.Throws<ShapeMismatchException>(() => QAvgPool2d.Forward(new PoolGeometry(1, 4, 4, 2, 2, 2, 2), true, q, new byte[16], new byte[5]));
        Assert.Throws<ShapeMismatchException>(() => QAdaptiveAvgPool2d.Forward(1, 4, 4, 2, 2, q, new byte[15], new byte[4]));
    }

    private static PoolGeometry RandomPool(Random random, bool allowDilation)
    {
        int kernelHeight = random.Next(1, 5), kernelWidth = random.Next(1, 5);
        int dilationHeight = allowDilation ? random.Next(1, 3) : 1, dilationWidth = allowDilation ? random.Next(1, 3) : 1;
        return new PoolGeometry(
            Planes: random.Next(1, 6),
            InHeight: dilationHeight * (kernelHeight - 1) + random.Next(1, 9),
            InWidth: dilationWidth * (kernelWidth - 1) + random.Next(1, 9),
            KernelHeight: kernelHeight,
            KernelWidth: kernelWidth,
            StrideHeight: random.Next(1, 4),
            StrideWidth: random.Next(1, 4),
            PadHeight: random.Next(0, kernelHeight / 2 + 1),
            PadWidth: random.Next(0, kernelWidth / 2 + 1),
            DilationHeight: dilationHeight,
            DilationWidth: dilationWidth,
            CeilMode: random.Next(2) == 0);
    }

    /// <summary>The largest byte among a window's taps; overhanging taps either clamp onto the border or are skipped.</summary>
    private static int MaxOfWindow(PoolGeometry g, byte[] input, int plane, int i, int j, bool clampToBorder)
    {
        int best = -1;
        for (int ky = 0; ky < g.KernelHeight; ky++)
        for (int kx = 0; kx < g.KernelWidth; kx++)
        {
            int r = i * g.StrideHeight - g.PadHeight + ky * g.DilationHeight, c = j * g.StrideWidth - g.PadWidth + kx * g.DilationWidth;
            if (clampToBorder) (r, c) = (Math.Clamp(r, 0, g.InHeight - 1), Math.Clamp(c, 0, g.InWidth - 1));
            else if (r < 0 || r >= g.InHeight || c < 0 || c >= g.InWidth) continue;
            best = Math.Max(best, input[(plane * g.InHeight + r) * g.InWidth + c]);
        }
        Assert.True(best >= 0, "every window must hold an input pixel");
        return best;
    }

    /// <summary>
    /// Σ (x − z) over a window's input pixels, their count, and the count PyTorch's count_include_pad uses: the
    /// window cut at the far edge of the padding.
    /// </summary>
    private static (long Sum, int Inputs, int Padded) WindowSum(PoolGeometry g, byte[] input, int zeroPoint, int plane, int i, int j)
    {
        long sum = 0;
        int inputs = 0, padded = 0;
        for (int ky = 0; ky < g.KernelHeight; ky++)
        for (int kx = 0; kx < g.KernelWidth; kx++)
        {
            int r = i * g.StrideHeight - g.PadHeight + ky, c = j * g.StrideWidth - g.PadWidth + kx;
            if (r >= g.InHeight + g.PadHeight || c >= g.InWidth + g.PadWidth) continue;
            padded++;
            if (r < 0 || r >= g.InHeight || c < 0 || c >= g.InWidth) continue;
            inputs++;
            sum += input[(plane * g.InHeight + r) * g.InWidth + c] - zeroPoint;
        }
        return (sum, inputs, padded);
    }
}
