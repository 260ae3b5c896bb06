using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using Xunit.Abstractions;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>
/// The depthwise kernel on every path equals <see cref="QConv2d"/> bit for bit, over what its window classes and channel
/// steps distinguish: images so small that most taps are padding (1×1, 2×2), borders of every kind, channel counts on
/// both sides of the 16- and 32-channel steps, and the numbers that saturate (bytes 0 and 255, clamped outputs).
/// </summary>
public sealed class Int8DepthwiseTests(ITestOutputHelper output)
{
    private static readonly int[] ChannelCounts = [1, 3, 16, 17, 31, 32, 33, 47, 96, 144, 576, 960];

    /// <summary>Every channel count on every image size of MobileNetV2 (3×3, padding 1), stride 1 and 2, batch 1 to 3.</summary>
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void ChannelCountsAndImageSizesEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6201);
        var regimes = Enum.GetValues<Int8Regime>();
        int i = 0;
        foreach (int channels in ChannelCounts)
        {
            foreach (int size in (ReadOnlySpan<int>)[1, 2, 3, 4, 7, 14])
            {
                // The widest layers on the largest images at batch 1 only, to keep the reference quick.
                int batch = channels * size * size > 20_000 ? 1 : 1 + i % 3, stride = 1 + i / 2 % 2;
                var g = Depthwise(batch, channels, size, size, 3, 3, stride, 1, 1);
                Check(random, regimes[i++ % regimes.Length], g, path);
            }
        }
    }

    /// <summary>Kernel sizes 1×1, 3×3, 5×5 and 2×3 on non-square images, with padding 0 to 2, stride 1 and 2, dilation 1 and 2.</summary>
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void KernelsPaddingStrideAndDilationEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6202);
        var regimes = Enum.GetValues<Int8Regime>();
        (int Height, int Width)[] kernels = [(1, 1), (3, 3), (5, 5), (2, 3)];
        (int Height, int Width)[] images = [(5, 9), (9, 4), (2, 7), (6, 6)];
        int i = 0;
        foreach (var (kh, kw) in kernels)
        {
            for (int pad = 0; pad <= 2; pad++)
            {
                for (int stride = 1; stride <= 2; stride++)
                {
                    for (int dilation = 1; dilation <= 2; dilation++, i++)
                    {
                        var (height, width) = images[i % images.Length];
                        var g = Depthwise(1 + i % 3, ChannelCounts[1 + i % 8], height, width, kh, kw, stride, pad, dilation);
                        if (g.OutHeight < 1 || g.OutWidth < 1) continue;   // the dilated window does not fit
                        Check(random, regimes[i % regimes.Length], g, path);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Wide images one to five rows high, 3×3 with padding 1 and stride 1 and 2: rows whose windows keep every kernel
    /// column but lose one or two kernel rows to the padding, beside rows of whole windows (the AVX2 kernel's runs).
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void ShortWideImagesEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6204);
        var regimes = Enum.GetValues<Int8Regime>();
        int i = 0;
        foreach (int height in (ReadOnlySpan<int>)[1, 2, 3, 5])
        {
            foreach (int channels in (ReadOnlySpan<int>)[16, 33, 96])
            {
                var g = Depthwise(1 + i % 2, channels, height, 9 + i % 4, 3, 3, 1 + i % 2, 1, 1);
                Check(random, regimes[i++ % regimes.Length], g, path);
            }
        }
    }

    /// <summary>
    /// Inputs of only 0 and 255 (all of one, or mixed), weights of −128 and 127 or nonzero per-channel weight zero points,
    /// and outputs that clamp under ReLU and ReLU6: the largest products and the requantize's bounds, on borders and inside.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void SaturatingInputsAndClampedOutputsEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6203);
        int i = 0;
        foreach (int channels in (ReadOnlySpan<int>)[17, 33, 96])
        {
            foreach (int size in (ReadOnlySpan<int>)[1, 2, 5])
            {
                foreach (FusedActivation activation in (ReadOnlySpan<FusedActivation>)[FusedActivation.ReLU, FusedActivation.ReLU6])
                {
                    var g = Depthwise(1 + i % 3, channels, size, size + 1, 3, 3, 1 + i % 2, 1, 1);
                    var c = Int8Case.Create(random, i % 2 == 0 ? Int8Regime.HugeMultiplier : Int8Regime.Typical, channels, 9, g.InputLength);
                    for (int k = 0; k < c.Input.Length; k++)
                    {
                        c.Input[k] = (i % 3) switch { 0 => 0, 1 => 255, _ => random.Next(2) == 0 ? (byte)0 : (byte)255 };
                    }
                    // Every other case keeps all weight zero points at 0 (the four-taps-a-lane VNNI kernel) with the extreme weights.
                    bool zeroPointsAtZero = i % 4 < 2;
                    var zeroPoints = new int[channels];
                    var scales = new float[channels];
                    for (int k = 0; k < channels; k++) (zeroPoints[k], scales[k]) = (zeroPointsAtZero ? 0 : random.Next(-128, 128), c.WeightQ.Scale(k));
                    if (zeroPointsAtZero)
                    {
                        for (int k = 0; k < c.Weight.Length; k++) c.Weight[k] = random.Next(2) == 0 ? sbyte.MinValue : sbyte.MaxValue;
                    }
                    string weights = zeroPointsAtZero ? "weights −128 and 127 with zero points 0" : "nonzero per-channel weight zero points";
                    string description = $"bytes 0 and 255, {weights}, {activation}, {c.Description}";
                    Check(WithQuantization(c, WeightQParams.PerChannel(scales, zeroPoints), activation, description), g, path);
                    i++;
                }
            }
        }
    }

    /// <summary>
    /// AVX2's <c>vpmaddubsw</c> depthwise kernel (weight zero points 0): in one call, runs of whole 3×3 windows whose bytes
    /// are all ≤ 127 and runs with a byte above 127 (those take exact int16 steps); inputs all ≤ 127 (found by one scan),
    /// where cut windows and other kernels take four-tap lanes too; 32-channel chunks with and without a 16-channel rest;
    /// the largest pair sums (bytes 127 against weights −128); outputs clamped before and after rounding; and layers told
    /// their input is ≤ 127, which skip the scan.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Avx2)]
    public void RunsAboveAndBelow128EqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6205);
        int i = 0;
        foreach (int channels in (ReadOnlySpan<int>)[32, 48, 96, 144])
        {
            // Rows of whole 3×3 windows (the slide), images so small that every window is cut (single pixels), and other kernels.
            foreach (var (height, width, kernel, pad) in (ReadOnlySpan<(int, int, int, int)>)[(14, 14, 3, 1), (9, 17, 3, 1), (4, 31, 3, 1), (2, 2, 3, 1), (1, 1, 3, 1), (7, 6, 5, 2)])
            {
                foreach (int stride in (ReadOnlySpan<int>)[1, 2])
                {
                    var g = Depthwise(1 + i % 2, channels, height, width, kernel, kernel, stride, pad, 1);
                    // Every third case biases near ±2³¹ and multipliers far above ½: the scaled sums overflow int32, so the
                    // requantize must clamp in float before rounding, not after.
                    bool huge = i % 3 == 0;
                    var c = Int8Case.Create(random, huge ? Int8Regime.Wraparound : Int8Regime.ReducedRange, channels, kernel * kernel, g.InputLength);
                    for (int k = 0; k < c.Input.Length; k++) c.Input[k] &= 127;
                    var scales = new float[channels];
                    for (int k = 0; k < channels; k++) scales[k] = c.WeightQ.Scale(k);
                    bool told = i % 3 == 2, extreme = i % 4 == 1;
                    if (extreme)
                    {
                        Array.Fill(c.Input, (byte)127);
                        Array.Fill(c.Weight, sbyte.MinValue);
                    }
                    string what = extreme ? "bytes 127, weights −128" : "bytes ≤ 127";
                    if (!told && i % 2 == 0)
                    {
                        // A byte above 127 in a few pixels: the runs that read them take exact steps, the others vpmaddubsw.
                        for (int stray = 0; stray < 3; stray++) c.Input[random.Next(c.Input.Length)] = (byte)random.Next(128, 256);
                        what += ", three above 127";
                    }
                    string description = $"{what}, input range {(told ? "[0, 127]" : "unknown")}, weight zero points 0, " +
                        $"{(huge ? "output scale / 4096, " : "")}{c.Description}";
                    var layerCase = WithQuantization(c, WeightQParams.PerChannel(scales, new int[channels]), c.Activation, description,
                        huge ? new ActivationQParams(c.OutputQ.Scale / 4096, c.OutputQ.ZeroPoint) : null, told ? new OutputRange(0, 127) : null);
                    Check(layerCase, g, path, DepthwiseKernel.Maddubs256);
                    i++;
                }
            }
        }
    }

    /// <summary>
    /// The byte limit at its edge on the four-tap kernels. Each channel's left column is (127, 127, −127) top to bottom and
    /// its middle one (−127, −127, 127), so a slide pairs 127 with 127 and −127 with −127: bytes up to 32767 / 254 = 129
    /// are exact on <c>vpmaddubsw</c>, and at 130 each whole window's sum, 0, would come out −1. An image of 129s, then one
    /// with a row of 130s (the call's scan finds it, and the runs over it take the exact steps), both equal the reference.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void BytesUpToTheWeightsLimitEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        const int channels = 64, size = 8;
        var g = Depthwise(1, channels, size, size, 3, 3, 1, 1, 1);
        sbyte[] kernel = [127, -127, 0, 127, -127, 0, -127, 127, 0];
        var weight = new sbyte[channels * 9];
        for (int i = 0; i < weight.Length; i++) weight[i] = kernel[i % 9];
        var c = new Int8Case
        {
            InputQ = new ActivationQParams(1f, 0),
            OutputQ = new ActivationQParams(1f, 128),
            WeightQ = WeightQParams.PerTensor(1f),
            Weight = weight,
            Bias = new int[channels],
            Input = Enumerable.Repeat((byte)129, g.InputLength).ToArray(),
            Activation = FusedActivation.None,
            InputRange = null,
            Description = "columns of ±127 pairs, every byte 129",
        };
        Check(c, g, path, path == Int8KernelPath.Avx2 ? DepthwiseKernel.Maddubs256 : null);
        byte[] input = (byte[])c.Input.Clone();
        for (int channel = 0; channel < channels; channel++) Array.Fill(input, (byte)130, (channel * size + 3) * size, size);
        Check(WithQuantization(c.WithInput(input), c.WeightQ, c.Activation, "columns of ±127 pairs, row 3 all 130"), g, path);
    }

    /// <summary>
    /// Whole output rows slid over the padding (outputs at least <see cref="DepthwiseQuads.MinPaddedRowWidth"/> wide, on
    /// AVX-VNNI, and on AVX2's <c>vpmaddubsw</c> and AVX-512BW's ymm chunks where the pad byte is within the weights'
    /// limit; a call whose bytes are not takes its checked walk): the rows above and below the image (one and two rows high, where both are the pad), the column right of it
    /// at stride 1 and at stride 2 on odd widths (none on even ones), channel counts around the 32-channel chunks, input
    /// zero points that make the pad's products count, every regime, each also onto a zero-based output; each layer is checked
    /// to have taken the padded slides, and the layers that did to cover every requantize form the slides are compiled for.
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void WholeRowsSlidOverThePaddingEqualReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6206);
        var regimes = Enum.GetValues<Int8Regime>();
        int i = 0, padded = 0, pairs = 0;
        var forms = new HashSet<RequantizeForm>();
        var pairForms = new HashSet<RequantizeForm>();
        foreach (int width in (ReadOnlySpan<int>)[4, 7, 8, 15, 16])
        {
            foreach (int height in (ReadOnlySpan<int>)[1, 2, 5, 8])
            {
                foreach (int stride in (ReadOnlySpan<int>)[1, 2])
                {
                    var g = Depthwise(1 + i % 2, WholeChunksWithoutMasks(ChannelCounts[2 + i % 9]), height, width, 3, 3, stride, 1, 1);
                    var created = Int8Case.Create(random, regimes[i++ % regimes.Length], g.OutChannels, 9, g.InputLength);
                    foreach (Int8Case c in (ReadOnlySpan<Int8Case>)[created, created.ZeroBased()])
                    {
                        var layer = new Int8Conv2d(g, c.Weight, c.WeightQ, c.Bias, c.InputQ, c.OutputQ, c.Activation, c.InputRange);
                        // The four-tap kernels need weight zero points 0 (some regimes have others) and whole chunks or masked
                        // loads; AVX2's vpmaddubsw also a pad byte within its limit, and AVX-512BW's zmm chunks keep their walk.
                        bool possible = layer.DepthwiseKernel is DepthwiseKernel.Quads256 or DepthwiseKernel.Maddubs256
                            && g.OutWidth >= DepthwiseQuads.MinPaddedRowWidth && DepthwiseQuads.QuadChannels(g.InChannels) == g.InChannels
                            && (path != Int8KernelPath.Avx512BW || g.InChannels < 64);
                        bool slides = possible && (layer.DepthwiseKernel == DepthwiseKernel.Quads256 || c.InputQ.ZeroPoint <= 127);
                        if (slides || !possible) Assert.Equal(slides, layer.SlidesPaddedRows);
                        padded += layer.SlidesPaddedRows ? 1 : 0;
                        if (layer.SlidesPaddedRows) forms.Add(layer.DepthwiseForm!.Value);
                        // Stride-1 layers slide their rows in pairs wherever they slide whole rows.
                        Assert.Equal(layer.SlidesPaddedRows && stride == 1, layer.SlidesRowPairs);
                        pairs += layer.SlidesRowPairs ? 1 : 0;
                        if (layer.SlidesRowPairs) pairForms.Add(layer.DepthwisePairForm!.Value);
                        Check(c, g, path);
                    }
                }
            }
        }
        // The Any form (a multiplier so large that the clamp stays in float) with symmetric weights and a pad byte within
        // vpmaddubsw's limit, on whole chunks: the random cases above draw one only on some machines, since without masked
        // loads their channel counts, and so their draws, differ.
        foreach (int stride in (ReadOnlySpan<int>)[1, 2])
        {
            var g = Depthwise(1, 32, 8, 8, 3, 3, stride, 1, 1);
            Int8Case c = Int8Case.Create(random, Int8Regime.HugeMultiplier, g.OutChannels, 9, g.InputLength).WithSymmetricWeights(inputZeroPoint: 60);
            var layer = new Int8Conv2d(g, c.Weight, c.WeightQ, c.Bias, c.InputQ, c.OutputQ, c.Activation, c.InputRange);
            Assert.Equal(RequantizeForm.Any, layer.DepthwiseForm);
            if (path != Int8KernelPath.Avx512BW) Assert.True(layer.SlidesPaddedRows, $"{c.Description}, stride {stride}: not slid");
            Assert.Equal(layer.SlidesPaddedRows && stride == 1, layer.SlidesRowPairs);
            if (layer.SlidesPaddedRows) forms.Add(layer.DepthwiseForm!.Value);
            if (layer.SlidesRowPairs) pairForms.Add(layer.DepthwisePairForm!.Value);
            Check(c, g, path);
        }
        if (path != Int8KernelPath.Avx512BW)
        {
            Assert.True(padded >= 10, $"only {padded} layers took the padded slides");
            // Each requantize form the slides are compiled for (DepthwiseTables.Form) is among them.
            Assert.Equal([RequantizeForm.Any, RequantizeForm.Plain, RequantizeForm.FullRange, RequantizeForm.ZeroBased], forms.Order());
        }
        if (path != Int8KernelPath.Avx512BW)
        {
            // Heights 2 and 8 slide in pairs only, 5 in pairs and a last single row, 1 in a single row.
            Assert.True(pairs >= 10, $"only {pairs} layers slid rows in pairs");
            // Zero-based outputs start from float bits unless a regime's biases reach past 2²³ (the wrapping ones).
            Assert.Equal(Enum.GetValues<RequantizeForm>().Order(), pairForms.Order());
        }
        output.WriteLine($"{padded} of {2 * i} layers slid whole rows over the padding, in the forms {string.Join(", ", forms.Order())}; " +
            $"{pairs} in pairs, in the forms {string.Join(", ", pairForms.Order())}.");
    }

    /// <summary>
    /// The row pairs' float-bits start (<see cref="FloatBits"/>) at its limit: nine weights of ±127 against bytes of 255
    /// reach 291,465 past the bias, so a bias of 8,097,142 keeps every sum within 2²³ − 1 and starts the pairs' sums as
    /// float bits, and a bias of 12,000,000 (whose sums would leave the bits' binade) does not; both equal the reference,
    /// rows of 255 and random rows, borders included. The multiplier maps the largest sums near 250, so a sum read wrong
    /// by the bits shows in the bytes. (On AVX2 bytes of 255 are above vpmaddubsw's limit for these weights, so the calls
    /// take the checked walk there, and the pairs' form is what this checks; the padded-rows test runs its pairs.)
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void RowPairsStartFromFloatBitsOnlyWhereTheSumsFit(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6207);
        int channels = WholeChunksWithoutMasks(48);
        var g = Depthwise(2, channels, 6, 9, 3, 3, 1, 1, 1);
        foreach (int biasValue in (ReadOnlySpan<int>)[8_097_142, 12_000_000])
        {
            var weight = new sbyte[channels * 9];
            for (int w = 0; w < weight.Length; w++) weight[w] = (sbyte)(w % 5 == 2 ? -127 : 127);
            var input = new byte[g.InputLength];
            random.NextBytes(input);
            Array.Fill(input, byte.MaxValue, 0, g.InputLength / 4);
            var inputQ = new ActivationQParams(0.01f, 0);
            var weightQ = WeightQParams.PerTensor(0.01f);
            var outputQ = new ActivationQParams(0.01f * 0.01f * (biasValue + 291_465) / 250f, 0);
            var c = new Int8Case
            {
                InputQ = inputQ, OutputQ = outputQ, WeightQ = weightQ, Weight = weight, Bias = Enumerable.Repeat(biasValue, channels).ToArray(),
                Input = input, Activation = FusedActivation.ReLU, InputRange = null, Description = $"bias {biasValue}",
            };
            var layer = new Int8Conv2d(g, c.Weight, c.WeightQ, c.Bias, c.InputQ, c.OutputQ, c.Activation, c.InputRange);
            Assert.True(layer.SlidesRowPairs);
            Assert.Equal(biasValue < 8_100_000 ? RequantizeForm.ZeroBasedFloatBits : RequantizeForm.ZeroBased, layer.DepthwisePairForm);
            byte[] expected = Check(c, g, path);
            Assert.Contains(expected, value => value is > 200 and < 255);
        }
    }

    /// <summary>
    /// <paramref name="channels"/>, or where the machine slides only whole 32-channel chunks
    /// (<see cref="DepthwiseQuads.QuadChannels"/>: without AVX-512VL's masked byte loads) the chunks that cover them, so
    /// that the slide tests take the same cases on every machine.
    /// </summary>
    private static int WholeChunksWithoutMasks(int channels) =>
        DepthwiseQuads.QuadChannels(channels) == channels ? channels : DepthwiseQuads.QuadChannels(channels + 31);

    private static ConvGeometry Depthwise(int batch, int channels, int height, int width, int kh, int kw, int stride, int pad, int dilation)
    {
        var g = new ConvGeometry(batch, channels, height, width, channels, kh, kw, stride, stride, pad, pad, dilation, dilation, Groups: channels);
        return channels == 1 ? g with { Groups = 1 } : g;   // one channel is an ordinary convolution
    }

    /// <summary><paramref name="c"/>'s data under other weight qparams and activation (and output qparams and told input range, when given).</summary>
    private static Int8Case WithQuantization(
        Int8Case c, WeightQParams weightQ, FusedActivation activation, string description,
        ActivationQParams? outputQ = null, OutputRange? inputRange = null) => new()
    {
        InputQ = c.InputQ,
        OutputQ = outputQ ?? c.OutputQ,
        WeightQ = weightQ,
        Weight = c.Weight,
        Bias = c.Bias,
        Input = c.Input,
        Activation = activation,
        InputRange = inputRange,
        Description = description,
    };

    private void Check(Random random, Int8Regime regime, in ConvGeometry g, Int8KernelPath path) =>
        _ = Check(Int8Case.Create(random, regime, g.OutChannels, g.KernelHeight * g.KernelWidth, g.InputLength), g, path);

    /// <summary>The layer on <paramref name="path"/> equals the reference; returns the reference's bytes (NCHW).</summary>
    private byte[] Check(Int8Case c, in ConvGeometry g, Int8KernelPath path, DepthwiseKernel? kernel = null)
    {
        var expected = new byte[g.OutputLength];
        QConv2d.Forward(g, c.Input, c.InputQ, c.Weight, c.WeightQ, c.Bias, c.OutputQ, c.Activation, expected);

        var layer = new Int8Conv2d(g, c.Weight, c.WeightQ, c.Bias, c.InputQ, c.OutputQ, c.Activation, c.InputRange);
        Assert.Equal(path, layer.Path);
        if (g.IsDepthwise) Assert.Equal(Int8ConvAlgorithm.Depthwise, layer.Algorithm);
        if (kernel is not null) Assert.Equal(kernel, layer.DepthwiseKernel);
        var actual = Layout.Poisoned(g.OutputLength);
        layer.Forward(Layout.ToNhwc(c.Input, g.Batch, g.InChannels, g.InHeight, g.InWidth), actual);
        string what = $"{path}, {layer.Algorithm} {g.InChannels}@{g.InHeight}×{g.InWidth} {g.KernelHeight}×{g.KernelWidth} " +
            $"s{g.StrideHeight} pad {g.PadHeight} dilation {g.DilationHeight} batch {g.Batch}, {c.Description}";
        Layout.AssertSame(expected, Layout.ToNchw(actual, g.Batch, g.OutChannels, g.OutHeight, g.OutWidth), what);
        return expected;
    }
}
