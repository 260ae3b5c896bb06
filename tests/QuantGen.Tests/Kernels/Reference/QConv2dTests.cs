using QuantGen.Kernels;
using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Kernels.Reference;

public sealed class QConv2dTests
{
    /// <summary>Hand-picked shapes: odd channel counts, stride 2, padding, dilation, groups, depthwise (3×3, 5×5, ×2), 1×1.</summary>
    public static TheoryData<string, ConvGeometry> Shapes => new()
    {
        { "3x3 pad 1", new ConvGeometry(2, 3, 7, 9, 5, 3, 3, PadHeight: 1, PadWidth: 1) },
        { "3x3 stride 2 odd", new ConvGeometry(1, 5, 11, 10, 7, 3, 3, 2, 2, 1, 1) },
        { "dilation 2", new ConvGeometry(1, 4, 9, 9, 3, 3, 3, PadHeight: 2, PadWidth: 2, DilationHeight: 2, DilationWidth: 2) },
        { "groups 3 stride 2", new ConvGeometry(2, 6, 8, 7, 9, 3, 3, 2, 2, 1, 1, Groups: 3) },
        { "depthwise 3x3", new ConvGeometry(1, 8, 10, 10, 8, 3, 3, PadHeight: 1, PadWidth: 1, Groups: 8) },
        { "depthwise 5x5 stride 2", new ConvGeometry(1, 7, 12, 11, 7, 5, 5, 2, 2, 2, 2, Groups: 7) },
        { "depthwise multiplier 2", new ConvGeometry(1, 5, 6, 6, 10, 3, 3, PadHeight: 1, PadWidth: 1, Groups: 5) },
        { "pointwise", new ConvGeometry(2, 13, 5, 6, 11, 1, 1) },
        { "2x5 kernel, uneven stride and pad", new ConvGeometry(1, 3, 8, 12, 4, 2, 5, 1, 3, 1, 2) },
        { "one pixel", new ConvGeometry(1, 1, 1, 1, 1, 1, 1) },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesBruteForceOnHandPickedShapes(string name, ConvGeometry g)
    {
        var random = new Random(name.Length * 7919 + g.OutChannels);
        int variant = 0;
        foreach (bool perChannel in new[] { false, true })
        foreach (bool withBias in new[] { true, false })
        {
            Check(random, g, perChannel, affine: variant % 3 == 2, withBias, (FusedActivation)(variant % 3), $"{name} #{variant}");
            variant++;
        }
    }

    [Fact]
    public void MatchesBruteForceOnRandomShapes()
    {
        var random = new Random(11);
        for (int trial = 0; trial < 60; trial++)
        {
            int groups = random.Next(4) == 0 ? random.Next(2, 6) : 1;
            int kernelHeight = random.Next(1, 6), kernelWidth = random.Next(1, 6);
            int dilationHeight = random.Next(1, 3), dilationWidth = random.Next(1, 3);
            var g = new ConvGeometry(
                Batch: random.Next(1, 3),
                InChannels: groups * random.Next(1, 4),
                InHeight: dilationHeight * (kernelHeight - 1) + random.Next(1, 8),
                InWidth: dilationWidth * (kernelWidth - 1) + random.Next(1, 8),
                OutChannels: groups * random.Next(1, 4),
                KernelHeight: kernelHeight,
                KernelWidth: kernelWidth,
                StrideHeight: random.Next(1, 4),
                StrideWidth: random.Next(1, 4),
                PadHeight: random.Next(0, kernelHeight / 2 + 1),
                PadWidth: random.Next(0, kernelWidth / 2 + 1),
                DilationHeight: dilationHeight,
                DilationWidth: dilationWidth,
                Groups: groups);
            Check(random, g, perChannel: random.Next(2) == 0, affine: random.Next(3) == 0, withBias: random.Next(3) != 0,
                (FusedActivation)random.Next(3), $"random #{trial}: {g}");
        }
    }

    [Fact]
    public void SaturatesAtTheExtremes()
    {
        // Every input 255 with zero point 0 and every weight 127: accumulators of 255·127·k·k·Cin, far past the output.
        var g = new ConvGeometry(1, 4, 5, 5, 2, 3, 3, PadHeight: 1, PadWidth: 1);
        byte[] input = Enumerable.Repeat((byte)255, g.InputLength).ToArray();
        var inputQ = new ActivationQParams(0.05f, 0);
        var outputQ = new ActivationQParams(0.1f, 128);
        var output = QuantizedData.Poisoned(g.OutputLength);

        sbyte[] positive = Enumerable.Repeat(sbyte.MaxValue, g.WeightLength).ToArray();
        QConv2d.Forward(g, input, inputQ, positive, WeightQParams.PerTensor(0.02f), [], outputQ, FusedActivation.None, output);
        Assert.All(output, b => Assert.Equal(255, b));

        sbyte[] negative = Enumerable.Repeat(sbyte.MinValue, g.WeightLength).ToArray();
        QConv2d.Forward(g, input, inputQ, negative, WeightQParams.PerTensor(0.02f), [], outputQ, FusedActivation.None, output);
        Assert.All(output, b => Assert.Equal(0, b));
        QConv2d.Forward(g, input, inputQ, negative, WeightQParams.PerTensor(0.02f), [], outputQ, FusedActivation.ReLU, output);
        Assert.All(output, b => Assert.Equal(128, b));

        // Inputs at 0 with zero point 255 and weights at −128: the largest positive products, clamped by ReLU6.
        byte[] zeros = new byte[g.InputLength];
        QConv2d.Forward(g, zeros, new ActivationQParams(0.05f, 255), negative, WeightQParams.PerTensor(0.02f), [],
            outputQ, FusedActivation.ReLU6, output);
        Assert.All(output, b => Assert.Equal(128 + 60, b));

        // Accumulators near the int32 limits, through the bias.
        int[] bias = [int.MaxValue - 2_000_000, int.MinValue + 2_000_000];
        QConv2d.Forward(g, input, inputQ, positive, WeightQParams.PerChannel([0.02f, 0.02f]), bias, outputQ, FusedActivation.None, output);
        Assert.All(output[..25], b => Assert.Equal(255, b));
        Assert.All(output[25..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void RejectsMismatchedArguments()
    {
        var g = new ConvGeometry(1, 2, 4, 4, 3, 3, 3);
        var q = new ActivationQParams(0.1f, 0);
        Assert.Throws<ShapeMismatchException>(() =>
            QConv2d.Forward(g, new byte[31], q, new sbyte[54], WeightQParams.PerTensor(0.1f), [], q, FusedActivation.None, new byte[12]));
        Assert.Throws<ShapeMismatchException>(() =>
            QConv2d.Forward(g, new byte[32], q, new sbyte[54], WeightQParams.PerChannel([0.1f, 0.1f]), [], q, FusedActivation.None, new byte[12]));
        Assert.Throws<ShapeMismatchException>(() =>
            QConv2d.Forward(g, new byte[32], q, new sbyte[54], WeightQParams.PerTensor(0.1f), [1, 2], q, FusedActivation.None, new byte[12]));
        Assert.Throws<ArgumentException>(() =>
            QConv2d.Forward(g with { Groups = 2 }, new byte[32], q, new sbyte[27], WeightQParams.PerTensor(0.1f), [], q, FusedActivation.None, new byte[12]));
    }

    private static void Check(Random random, ConvGeometry g, bool perChannel, bool affine, bool withBias, FusedActivation activation, string label)
    {
        int terms = g.InChannelsPerGroup * g.KernelHeight * g.KernelWidth;
        byte[] input = QuantizedData.Bytes(random, g.InputLength);
        sbyte[] weight = QuantizedData.SBytes(random, g.WeightLength);
        var inputQ = QuantizedData.Activation(random, 0.005, 0.05);
        var weightQ = QuantizedData.Weights(random, g.OutChannels, perChannel, affine);
        int[] bias = QuantizedData.Bias(random, g.OutChannels, terms, withBias);
        var outputQ = new ActivationQParams(
            QuantizedData.OutputScale(random, inputQ.Scale, weightQ.Scale(0), terms, spread: random.Next(2) == 0 ? 60 : 200),
            random.Next(256));
        var output = QuantizedData.Poisoned(g.OutputLength);

        QConv2d.Forward(g, input, inputQ, weight, weightQ, bias, outputQ, activation, output);

        long[] accumulators = ExactAccumulators.Conv(g, input, inputQ.ZeroPoint, weight, weightQ, bias);
        (int min, int max) = ExpectedRange(activation, outputQ);
        int perImage = g.OutChannels * g.OutHeight * g.OutWidth, perChannelPlane = g.OutHeight * g.OutWidth;
        for (int i = 0; i < output.Length; i++)
        {
            int oc = i % perImage / perChannelPlane;
            // The multiplier is part of the definition: PyTorch's float32 (s_w·s_in)·(1/s_out).
            float multiplier = weightQ.Scale(oc) * inputQ.Scale * (1f / outputQ.Scale);
            int expected = Expected.Requantized(accumulators[i], multiplier, outputQ.ZeroPoint, min, max);
            Assert.True(expected == output[i], $"{label}: output {i} (channel {oc}) is {output[i]}, expected {expected}");
        }
    }

    /// <summary>The clamp a fused activation adds: ReLU from the zero point, ReLU6 up to 6.0 quantized.</summary>
    internal static (int Min, int Max) ExpectedRange(FusedActivation activation, ActivationQParams output) => activation switch
    {
        FusedActivation.ReLU => (output.ZeroPoint, 255),
        FusedActivation.ReLU6 => (output.ZeroPoint, Expected.Quantized(6f, output.Scale, output.ZeroPoint, 0, 255)),
        _ => (0, 255),
    };
}
