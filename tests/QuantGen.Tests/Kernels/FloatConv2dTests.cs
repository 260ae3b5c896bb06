using QuantGen.Kernels;
using QuantGen.Kernels.Float;
using Xunit.Abstractions;

namespace QuantGen.Tests.Kernels;

/// <summary>Every case runs through both entry points: raw PyTorch weights, and <see cref="PackedConvWeights"/>.</summary>
public sealed class FloatConv2dTests(ITestOutputHelper output)
{
    [Theory]
    [FloatPath(FloatKernelPath.Scalar), FloatPath(FloatKernelPath.Vector128), FloatPath(FloatKernelPath.Vector256), FloatPath(FloatKernelPath.Vector512)]
    public void MobileNetV2LayersMatchReference(FloatKernelPath path)
    {
        using var forced = KernelPaths.Force(path, output);
        var random = new Random(2024);
        foreach (ConvGeometry g in MobileNetV2Shapes.Convolutions(batch: 1)) Check(random, g, withBias: true);
        foreach (ConvGeometry g in MobileNetV2Shapes.Convolutions(batch: 3).Where((_, i) => i % 4 == 0)) Check(random, g, withBias: false);
    }

    [Theory]
    [FloatPath(FloatKernelPath.Scalar), FloatPath(FloatKernelPath.Vector128), FloatPath(FloatKernelPath.Vector256), FloatPath(FloatKernelPath.Vector512)]
    public void RandomGeometriesMatchReference(FloatKernelPath path)
    {
        using var forced = KernelPaths.Force(path, output);
        var random = new Random(77);
        (int H, int W)[] kernels = [(1, 1), (3, 3), (5, 5), (1, 3), (3, 1), (2, 3)];
        int checkedCases = 0;
        for (int trial = 0; checkedCases < 150; trial++)
        {
            var (kh, kw) = kernels[random.Next(kernels.Length)];
            int stride = 1 + random.Next(3), dilation = 1 + random.Next(2), pad = random.Next(3);
            int groups = 1, inChannels = 1 + random.Next(7), outChannels = 1 + random.Next(19);
            switch (random.Next(4))
            {
                case 1: groups = 2; inChannels = 2 * (1 + random.Next(4)); outChannels = 2 * (1 + random.Next(9)); break;
                case 2: groups = inChannels = 2 + random.Next(20); outChannels = groups; break;                          // depthwise
                case 3: groups = inChannels = 2 + random.Next(9); outChannels = groups * (2 + random.Next(2)); break;     // depthwise, multiplier 2-3
            }
            var g = new ConvGeometry(
                1 + random.Next(3), inChannels, 1 + random.Next(17), 1 + random.Next(17), outChannels, kh, kw,
                stride, trial % 5 == 0 ? 1 : stride, pad, trial % 7 == 0 ? 0 : pad, dilation, dilation, groups);
            if (g.OutHeight < 1 || g.OutWidth < 1) continue;
            Check(random, g, withBias: random.Next(2) == 0);
            checkedCases++;
        }
    }

    [Theory]
    [FloatPath(FloatKernelPath.Scalar), FloatPath(FloatKernelPath.Vector128), FloatPath(FloatKernelPath.Vector256), FloatPath(FloatKernelPath.Vector512)]
    public void NarrowAndBatchedPointwiseMatchReference(FloatKernelPath path)
    {
        using var forced = KernelPaths.Force(path, output);
        var random = new Random(5);
        foreach (int batch in new[] { 1, 2, 3, 4, 5 })
        {
            foreach (int size in new[] { 1, 2, 3, 5 })
            {
                Check(random, new ConvGeometry(batch, 37, size, size, 21, 1, 1), withBias: true);       // n = batch·size² from 1 up
                Check(random, new ConvGeometry(batch, 19, size, size, 33, 3, 3, PadHeight: 1, PadWidth: 1), withBias: false);
            }
        }
    }

    [Fact]
    public void RejectsMismatchedBuffersAndWeights()
    {
        var g = new ConvGeometry(1, 4, 5, 5, 8, 3, 3, PadHeight: 1, PadWidth: 1);
        Assert.Throws<ShapeMismatchException>(() => FloatConv2d.Forward(g, new float[99], new float[g.WeightLength], [], new float[g.OutputLength]));
        Assert.Throws<ShapeMismatchException>(() => FloatConv2d.Forward(g, new float[g.InputLength], new float[g.WeightLength], new float[3], new float[g.OutputLength]));
        var other = PackedConvWeights.Pack(g with { OutChannels = 4 }, new float[4 * 4 * 9]);
        Assert.Throws<ShapeMismatchException>(() => FloatConv2d.Forward(g, new float[g.InputLength], other, [], new float[g.OutputLength]));
        Assert.Throws<ShapeMismatchException>(() => PackedConvWeights.Pack(g with { InHeight = 1, PadHeight = 0 }, new float[g.WeightLength]));
    }

    [Fact]
    public void PackedWeightsServeAnyImageSizeAndBatch()
    {
        var g = new ConvGeometry(1, 8, 6, 6, 16, 3, 3, PadHeight: 1, PadWidth: 1);
        var packed = PackedConvWeights.Pack(g, new float[g.WeightLength]);
        Assert.True(packed.Fits(g with { Batch = 7, InHeight = 30, InWidth = 2, StrideHeight = 2 }));
        Assert.False(packed.Fits(g with { Groups = 2 }));
    }

    private static void Check(Random random, ConvGeometry g, bool withBias)
    {
        float[] input = TestData.Values(random, g.InputLength), weight = TestData.Values(random, g.WeightLength);
        float[] bias = withBias ? TestData.Values(random, g.OutChannels) : [];
        var (expected, magnitudes) = ConvReference.Run(g, input, weight, bias);
        string what = $"{g} bias={withBias}";

        float[] raw = TestData.Poisoned(g.OutputLength);
        FloatConv2d.Forward(g, input, weight, bias, raw);
        Tolerance.AssertClose(raw, expected, magnitudes, ConvReference.Terms(g), "raw weights, " + what);

        float[] packed = TestData.Poisoned(g.OutputLength);
        FloatConv2d.Forward(g, input, PackedConvWeights.Pack(g, weight), bias, packed);
        Tolerance.AssertClose(packed, expected, magnitudes, ConvReference.Terms(g), "packed weights, " + what);
    }
}
