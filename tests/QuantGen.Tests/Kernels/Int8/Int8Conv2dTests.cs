using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using Xunit.Abstractions;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>
/// <see cref="Int8Conv2d"/> on every path equals <see cref="QConv2d"/>, bit for bit: inputs are transposed to NHWC
/// for the fast kernel and its output back to NCHW for the comparison.
/// </summary>
public sealed class Int8Conv2dTests(ITestOutputHelper output)
{
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void DepthwiseEqualsReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6101);
        foreach (Int8Regime regime in Enum.GetValues<Int8Regime>())
        {
            for (int i = 0; i < 12; i++)
            {
                // Channel counts on both sides of the 8- and 16-channel steps; MobileNetV2's 3×3, pad 1, stride 1 or 2, and others.
                int channels = random.Next(2) == 0 ? random.Next(1, 40) : 16 * random.Next(1, 4);
                int kernel = i % 4 == 3 ? random.Next(1, 6) : 3, stride = random.Next(1, 3), pad = kernel == 3 ? 1 : random.Next(0, kernel / 2 + 1);
                int dilation = i % 6 == 5 ? 2 : 1, height = random.Next(kernel * dilation, 12), width = random.Next(kernel * dilation, 12);
                var g = new ConvGeometry(random.Next(1, 3), channels, height, width, channels, kernel, kernel, stride, stride, pad, pad, dilation, dilation, Groups: channels);
                if (channels == 1) g = g with { Groups = 1 };
                Check(random, regime, g, path);
            }
        }
    }

    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void PointwiseAndIm2ColEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6102);
        foreach (Int8Regime regime in Enum.GetValues<Int8Regime>())
        {
            for (int i = 0; i < 12; i++)
            {
                int cin = random.Next(1, 20), cout = random.Next(1, 40), kernel = i % 2 == 0 ? 1 : random.Next(1, 4);
                int stride = i % 2 == 0 ? 1 : random.Next(1, 3), pad = random.Next(0, kernel / 2 + 1);
                var g = new ConvGeometry(random.Next(1, 3), cin, random.Next(kernel, 9), random.Next(kernel, 9), cout, kernel, kernel, stride, stride, i % 2 == 0 ? 0 : pad, i % 2 == 0 ? 0 : pad);
                Check(random, regime, g, path);
            }
        }
    }

    /// <summary>Deep pointwise layers over many pixels: the GEMM's row blocks (about 16 KB of A each) end mid-image and leave rows over.</summary>
    [Theory]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void RowBlocksEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6105);
        foreach (int cin in (ReadOnlySpan<int>)[600, 961, 2049])
        {
            var g = new ConvGeometry(random.Next(1, 3), cin, random.Next(5, 10), random.Next(5, 10), random.Next(1, 40), 1, 1);
            Check(random, Int8Regime.Typical, g, path);
        }
    }

    /// <summary>Stems: 1–4 input channels (the direct kernel on 256-bit paths), output channels around the 16- and 32-channel steps.</summary>
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void FewInputChannelsEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6104);
        foreach (Int8Regime regime in Enum.GetValues<Int8Regime>())
        {
            for (int i = 0; i < 16; i++)
            {
                int cin = 1 + i % 4, cout = i % 3 == 0 ? 32 : random.Next(1, 70), kernel = i % 5 == 4 ? random.Next(2, 6) : 3;
                int stride = random.Next(1, 4), pad = random.Next(0, kernel / 2 + 1), dilation = i % 7 == 6 ? 2 : 1;
                var g = new ConvGeometry(random.Next(1, 3), cin, random.Next(kernel * dilation, 15), random.Next(kernel * dilation, 15), cout,
                    kernel, kernel, stride, stride, pad, pad, dilation, dilation);
                Check(random, regime, g, path);
            }
        }
    }

    /// <summary>
    /// Stem-like shapes on the direct kernel: 1–4 input channels, 3×3 at stride 1 and 2, pad 0 and 1, dilation 2, odd
    /// image sizes and output channels around the 16-channel panels; every third case saturating (bytes 0 or 255 against
    /// weights ±127 and −128, nonzero zero points), so both the VNNI variant (weight zero points 0) and the int16-pair
    /// variant run on the AvxVnni path.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void StemShapesEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6106);
        ReadOnlySpan<int> outChannels = [8, 17, 32, 33, 64];
        ReadOnlySpan<(int Height, int Width, int Stride, int Pad, int Dilation)> images =
            [(28, 28, 2, 1, 1), (28, 28, 1, 1, 1), (14, 14, 2, 0, 1), (14, 14, 1, 0, 1), (5, 7, 1, 1, 1), (5, 7, 2, 1, 2), (7, 5, 1, 0, 2)];
        int cases = 0;
        for (int cin = 1; cin <= 4; cin++)
        {
            foreach (var (height, width, stride, pad, dilation) in images)
            {
                var g = new ConvGeometry(1 + cases % 2, cin, height, width, outChannels[cases % outChannels.Length], 3, 3,
                    stride, stride, pad, pad, dilation, dilation);
                var regime = (Int8Regime)(cases % Enum.GetValues<Int8Regime>().Length);
                var c = Int8Case.Create(random, regime, g.OutChannels, cin * 9, g.InputLength);
                if (cases % 3 == 0) c.Saturate(random);
                Check(c, g, path);
                cases++;
            }
        }
        output.WriteLine($"{cases} cases.");
    }

    /// <summary>
    /// The direct kernel's band of padded rows over images too big for one: a 112×112 stem in several bands (the last
    /// one short), and rows too wide for the stack (the rented band), typical and saturating, on whichever band the path
    /// fills: bytes (VNNI, weight zero points 0) or values widened to int16 (the int16-pair steps).
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void StemsOverSeveralBandsEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6107);
        ConvGeometry[] geometries =
        [
            new(1, 3, 112, 112, 32, 3, 3, 2, 2, 1, 1),
            new(2, 4, 4, 2100, 17, 3, 3, 1, 1, 1, 1),
        ];
        foreach (ConvGeometry g in geometries)
        {
            foreach (bool saturate in (ReadOnlySpan<bool>)[false, true])
            {
                var c = Int8Case.Create(random, Int8Regime.Typical, g.OutChannels, g.InChannels * 9, g.InputLength);
                if (saturate) c.Saturate(random);
                Assert.Equal(Int8ConvAlgorithm.Direct, new Int8Conv2d(g, c.Weight, c.WeightQ, c.Bias, c.InputQ, c.OutputQ, c.Activation, c.InputRange).Algorithm);
                Check(c, g, path);
            }
        }
    }

    /// <summary>Every convolution of MobileNetV2 on a 28×28 input: the stem (1 input channel, 3×3, stride 2), depthwise and pointwise.</summary>
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void MobileNetV2LayersEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6103);
        foreach (ConvGeometry g in MobileNetV2Shapes.Convolutions(batch: 1))
        {
            Check(random, random.Next(3) == 0 ? Int8Regime.ReducedRange : Int8Regime.Typical, g, path);
        }
    }

    [Fact]
    public void UnsupportedGroupsAndBadLengthsThrowTypedErrors()
    {
        var q = new ActivationQParams(0.1f, 3);
        var weightQ = WeightQParams.PerTensor(0.01f);
        var grouped = new ConvGeometry(1, 4, 5, 5, 4, 3, 3, Groups: 2);
        Assert.Throws<NotSupportedException>(() => new Int8Conv2d(grouped, new sbyte[grouped.WeightLength], weightQ, [], q, q));
        var g = new ConvGeometry(1, 5, 5, 5, 4, 3, 3, PadHeight: 1, PadWidth: 1);
        Assert.Throws<ShapeMismatchException>(() => new Int8Conv2d(g, new sbyte[g.WeightLength - 1], weightQ, [], q, q));
        Assert.Throws<ArgumentException>(() => new Int8Conv2d(g with { PadHeight = -1 }, new sbyte[g.WeightLength], weightQ, [], q, q));
        var layer = new Int8Conv2d(g, new sbyte[g.WeightLength], weightQ, [], q, q);
        Assert.Equal(Int8ConvAlgorithm.Im2Col, layer.Algorithm);
        var input = Assert.Throws<ShapeMismatchException>(() => layer.Forward(new byte[g.InputLength + 1], new byte[g.OutputLength]));
        Assert.Equal("Int8Conv2d: input should be [1, 5, 5, 5] (NHWC) = 125 values, but has 126.", input.Message);
        var output = Assert.Throws<ShapeMismatchException>(() => layer.Forward(new byte[g.InputLength], new byte[g.OutputLength - 1]));
        Assert.Equal("Int8Conv2d: output should be [1, 5, 5, 4] (NHWC) = 100 values, but has 99.", output.Message);
        // Both wrong: the input is named first. A batch below the layer's own is checked at its own size.
        var both = Assert.Throws<ShapeMismatchException>(() => layer.Forward(new byte[1], new byte[1]));
        Assert.StartsWith("Int8Conv2d: input should be", both.Message);
        var batched = new Int8Conv2d(g with { Batch = 3 }, new sbyte[g.WeightLength], weightQ, [], q, q);
        var short2 = Assert.Throws<ShapeMismatchException>(() => batched.Forward(new byte[2 * 125], new byte[2 * 100 - 1], 2));
        Assert.Equal("Int8Conv2d: output should be [2, 5, 5, 4] (NHWC) = 200 values, but has 199.", short2.Message);
        batched.Forward(new byte[2 * 125], new byte[2 * 100], 2);
    }

    private void Check(Random random, Int8Regime regime, in ConvGeometry g, Int8KernelPath path) =>
        Check(Int8Case.Create(random, regime, g.OutChannels, g.InChannelsPerGroup * g.KernelHeight * g.KernelWidth, g.InputLength), g, path);

    private void Check(Int8Case c, in ConvGeometry g, Int8KernelPath path)
    {
        var expected = new byte[g.OutputLength];
        QConv2d.Forward(g, c.Input, c.InputQ, c.Weight, c.WeightQ, c.Bias, c.OutputQ, c.Activation, expected);

        var layer = new Int8Conv2d(g, c.Weight, c.WeightQ, c.Bias, c.InputQ, c.OutputQ, c.Activation, c.InputRange);
        Assert.Equal(path, layer.Path);
        var actual = Layout.Poisoned(g.OutputLength);
        layer.Forward(Layout.ToNhwc(c.Input, g.Batch, g.InChannels, g.InHeight, g.InWidth), actual);
        string what = $"{path}, {layer.Algorithm} {MobileNetV2Shapes.Describe(g)} (batch {g.Batch}, pad {g.PadHeight}, dilation {g.DilationHeight}), {c.Description}";
        Layout.AssertSame(expected, Layout.ToNchw(actual, g.Batch, g.OutChannels, g.OutHeight, g.OutWidth), what);
    }
}
