using QuantGen.Kernels;
using QuantGen.Kernels.Float;
using Xunit.Abstractions;

namespace QuantGen.Tests.Kernels;

/// <summary>
/// The float kernels that add in PyTorch's order, bit for bit against that order written out one output at a time in
/// float32 (no float64 anywhere): what they compute is fixed, only how fast may change. The fixtures of
/// <see cref="FloatKernelOrderTests"/> pin the order to PyTorch's on a few shapes; these cover the shapes and paths the
/// faster code takes (blocks of input channels, narrow and wide products, a few outputs, one-pixel planes).
/// </summary>
public sealed class FloatOrderBitsTests(ITestOutputHelper output)
{
    /// <summary>Convolutions that are not depthwise: one block and several, narrow (n ≤ 4 columns) and wide, with and without bias.</summary>
    public static readonly ConvGeometry[] Convolutions =
    [
        new(1, 576, 2, 2, 96, 1, 1),                              // a projection at batch 1: two blocks, n = 4
        new(1, 600, 1, 1, 40, 1, 1),                              // three blocks, the last short, n = 1
        new(3, 320, 1, 1, 70, 1, 1),                              // the 1280-wide head's shape in small: n = 3
        new(5, 300, 1, 1, 20, 1, 1),                              // two blocks, n = 5: the tiled product
        new(2, 520, 3, 3, 33, 1, 1),                              // three blocks, n = 18
        new(64, 320, 1, 1, 50, 1, 1),                             // the head at batch 64 in small
        new(1, 37, 1, 1, 21, 1, 1),                               // one block, narrow
        new(1, 37, 5, 5, 21, 1, 1),                               // one block, wide
        new(1, 1, 9, 9, 32, 3, 3, 2, 2, 1, 1),                    // the stem, wide
        new(1, 1, 3, 3, 32, 3, 3, 2, 2, 1, 1),                    // the stem, narrow
        new(2, 1, 28, 28, 32, 3, 3, 2, 2, 1, 1),                  // the stem, two images
        new(1, 40, 5, 5, 20, 3, 3, PadHeight: 1, PadWidth: 1),    // three blocks of 16 channels, wide
        new(1, 40, 2, 2, 20, 3, 3, PadHeight: 1, PadWidth: 1),    // the same, narrow
        new(2, 36, 4, 4, 10, 3, 3, PadHeight: 1, PadWidth: 1, Groups: 2), // two groups of two blocks each
        new(1, 300, 5, 5, 12, 1, 1, 2, 2),                        // a strided 1×1 kernel (im2col) in two blocks, wide
        new(1, 300, 3, 3, 12, 1, 1, 2, 2),                        // the same, narrow
        new(2, 20, 3, 3, 12, 1, 1, PadHeight: 1, PadWidth: 1),    // a padded 1×1 kernel
        new(1, 600, 2, 2, 8, 1, 1, Groups: 2),                    // a grouped 1×1 kernel, two blocks per group
    ];

    [Theory]
    [FloatPath(FloatKernelPath.Scalar), FloatPath(FloatKernelPath.Vector128), FloatPath(FloatKernelPath.Vector256), FloatPath(FloatKernelPath.Vector512)]
    public void Conv2d_is_its_order_bit_for_bit(FloatKernelPath path)
    {
        using var forced = KernelPaths.Force(path, output);
        var random = new Random(31);
        foreach (ConvGeometry g in Convolutions)
        {
            foreach (bool withBias in new[] { true, false })
            {
                float[] input = TestData.Values(random, g.InputLength), weight = TestData.Values(random, g.WeightLength);
                float[] bias = withBias ? TestData.Values(random, g.OutChannels) : [];
                float[] expected = ConvInOrder(g, input, weight, bias);
                float[] packed = TestData.Poisoned(g.OutputLength);
                FloatConv2d.Forward(g, input, PackedConvWeights.Pack(g, weight), bias, packed);
                AssertBits(expected, packed, $"packed weights, {g}, bias={withBias}");
                if (!g.IsPointwise || DirectConvOrder.Blocks(g) > 1)
                {
                    // (A single-block pointwise convolution from raw weights runs another product: the eager layers pack theirs.)
                    float[] raw = TestData.Poisoned(g.OutputLength);
                    FloatConv2d.Forward(g, input, weight, bias, raw);
                    AssertBits(expected, raw, $"raw weights, {g}, bias={withBias}");
                }
            }
        }
    }

    [Theory]
    [FloatPath(FloatKernelPath.Scalar), FloatPath(FloatKernelPath.Vector128), FloatPath(FloatKernelPath.Vector256), FloatPath(FloatKernelPath.Vector512)]
    public void Linear_is_its_order_bit_for_bit(FloatKernelPath path)
    {
        using var forced = KernelPaths.Force(path, output);
        var random = new Random(32);
        foreach (var (batch, inFeatures, outFeatures) in new[] { (1, 1280, 10), (1, 64, 1), (1, 100, 77), (2, 33, 40), (3, 1280, 10), (4, 50, 10), (9, 70, 35), (64, 1280, 10) })
        {
            foreach (bool withBias in new[] { true, false })
            {
                float[] x = TestData.Values(random, batch * inFeatures), w = TestData.Values(random, outFeatures * inFeatures);
                float[] bias = withBias ? TestData.Values(random, outFeatures) : [];
                var expected = new float[batch * outFeatures];
                for (int row = 0; row < batch; row++)
                {
                    for (int o = 0; o < outFeatures; o++)
                    {
                        // BLAS sgemm: from 0 over the features in order, each product rounded before its add; the bias last.
                        float sum = 0f;
                        for (int p = 0; p < inFeatures; p++)
                        {
                            float product = x[row * inFeatures + p] * w[o * inFeatures + p];
                            sum += product;
                        }
                        expected[row * outFeatures + o] = withBias ? sum + bias[o] : sum;
                    }
                }
                float[] actual = TestData.Poisoned(batch * outFeatures);
                FloatLinear.Forward(x, w, bias, batch, inFeatures, outFeatures, actual);
                AssertBits(expected, actual, $"per call, {batch}×{inFeatures}→{outFeatures}, bias={withBias}");
                actual = TestData.Poisoned(batch * outFeatures);
                FloatLinear.ForwardPacked(x, FloatLinear.Pack(w, inFeatures, outFeatures), bias, batch, inFeatures, outFeatures, actual);
                AssertBits(expected, actual, $"packed once, {batch}×{inFeatures}→{outFeatures}, bias={withBias}");
            }
        }
    }

    [Fact]
    public void AdaptiveAvgPool_to_one_cell_over_short_planes_is_the_plain_mean()
    {
        var random = new Random(33);
        foreach (int pixels in new[] { 1, 2, 4, 7, 8, 9, 49 })
        {
            int planes = 37;
            float[] x = TestData.Values(random, planes * pixels);
            x[0] = -0f;   // a lone −0 becomes +0 (summed from +0), as torch.sum's
            var expected = new float[planes];
            for (int p = 0; p < planes; p++) expected[p] = QuantGen.Quantization.TorchFloatSum.Sum(x.AsSpan(p * pixels, pixels)) / pixels;
            float[] actual = TestData.Poisoned(planes);
            int side = pixels == 49 ? 7 : 1;
            PoolingKernels.AdaptiveAvgPool(planes, side, pixels / side, 1, 1, x, actual);
            AssertBits(expected, actual, $"{planes} planes of {pixels}");
        }
    }

    /// <summary>
    /// The order <see cref="FloatConv2d"/> sums in (<see cref="DirectConvOrder"/>), one output at a time: each block of input
    /// channels from 0 (the first block of a 1×1 convolution over more than four columns from its bias instead), over
    /// the taps (ky, kx) and within each the block's channels, padding included as zeros, by fused multiply-adds; the
    /// bias added to the first block's sum where it did not start it; each later block's sum added in turn.
    /// </summary>
    private static float[] ConvInOrder(in ConvGeometry g, float[] input, float[] weight, float[] bias)
    {
        var output = new float[g.OutputLength];
        int inPixels = g.InHeight * g.InWidth, outPixels = g.OutHeight * g.OutWidth, taps = g.KernelHeight * g.KernelWidth;
        bool fromBias = DirectConvOrder.StartsFromBias(g) && g.Batch * outPixels > NarrowGemm.MaxColumns && bias.Length > 0;
        for (int image = 0; image < g.Batch; image++)
        {
            for (int oc = 0; oc < g.OutChannels; oc++)
            {
                int group = oc / g.OutChannelsPerGroup;
                for (int oy = 0; oy < g.OutHeight; oy++)
                {
                    for (int ox = 0; ox < g.OutWidth; ox++)
                    {
                        float total = 0f;
                        for (int block = 0; block < DirectConvOrder.Blocks(g); block++)
                        {
                            float sum = block == 0 && fromBias ? bias[oc] : 0f;
                            int first = DirectConvOrder.FirstChannel(g, block), channels = DirectConvOrder.Channels(g, block);
                            for (int ky = 0; ky < g.KernelHeight; ky++)
                            {
                                for (int kx = 0; kx < g.KernelWidth; kx++)
                                {
                                    int y = oy * g.StrideHeight - g.PadHeight + ky * g.DilationHeight, x = ox * g.StrideWidth - g.PadWidth + kx * g.DilationWidth;
                                    bool inside = y >= 0 && y < g.InHeight && x >= 0 && x < g.InWidth;
                                    for (int c = first; c < first + channels; c++)
                                    {
                                        int channel = group * g.InChannelsPerGroup + c;
                                        float value = inside ? input[((long)image * g.InChannels + channel) * inPixels + y * g.InWidth + x] : 0f;
                                        sum = MathF.FusedMultiplyAdd(weight[((long)oc * g.InChannelsPerGroup + c) * taps + ky * g.KernelWidth + kx], value, sum);
                                    }
                                }
                            }
                            if (block > 0) total += sum;
                            else total = bias.Length > 0 && !fromBias ? sum + bias[oc] : sum;
                        }
                        output[((long)image * g.OutChannels + oc) * outPixels + oy * g.OutWidth + ox] = total;
                    }
                }
            }
        }
        return output;
    }

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        int differing = 0, firstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i])) continue;
            differing++;
            if (firstAt < 0) firstAt = i;
        }
        Assert.True(differing == 0, $"{what}: {differing} of {expected.Length} outputs differ in some bit (first at {firstAt}: {(firstAt < 0 ? 0 : expected[firstAt])} expected, {(firstAt < 0 ? 0 : actual[firstAt])} computed)");
    }
}
