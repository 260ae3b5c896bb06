using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using System.Reflection;
using System.Runtime.Intrinsics.X86;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>
/// The channels-last kernels of the decoder ops, each path forced, against the NCHW reference kernels bit for bit on
/// random shapes (odd channel counts for the vector tails, groups, dilation, output padding, saturating scales).
/// </summary>
public sealed class DecoderKernelTests(ITestOutputHelper output)
{
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Avx2)]
    public void ConvTranspose2d_equals_the_reference_on_every_path(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(41);
        for (int trial = 0; trial < 40; trial++)
        {
            int groups = random.Next(1, 4);
            int inChannels = groups * random.Next(1, 24), outChannels = groups * random.Next(1, 9);
            int kernel = random.Next(1, 5), stride = random.Next(1, 4), dilation = random.Next(1, 3);
            int padding = random.Next(0, kernel), outputPadding = random.Next(0, Math.Max(stride, dilation));
            var g = new ConvTransposeGeometry(random.Next(1, 4), inChannels, random.Next(1, 7), random.Next(1, 7), outChannels, kernel, kernel,
                stride, stride, padding, padding, outputPadding, outputPadding, dilation, dilation, groups);
            if (g.Problem() is not null) continue;
            var input = Bytes(random, g.InputLength);
            var weight = new sbyte[g.WeightLength];
            foreach (ref sbyte w in weight.AsSpan()) w = (sbyte)random.Next(-128, 128);
            var inputQ = new ActivationQParams(0.02f + random.NextSingle() * 0.05f, random.Next(0, 256));
            // Small output scales saturate some outputs at 0 and 255.
            var outputQ = new ActivationQParams(0.01f + random.NextSingle() * 0.5f, random.Next(0, 256));
            var weightQ = random.Next(2) == 0 ? WeightQParams.PerTensor(0.01f + random.NextSingle() * 0.02f)
                : WeightQParams.PerChannel([.. Enumerable.Range(0, outChannels).Select(_ => 0.005f + random.NextSingle() * 0.02f)]);
            int[] bias = random.Next(3) == 0 ? [] : [.. Enumerable.Range(0, outChannels).Select(_ => random.Next(-5000, 5000))];

            var expected = new byte[g.OutputLength];
            QConvTranspose2d.Forward(g, input, inputQ, weight, weightQ, bias, outputQ, expected);
            var kernelUnderTest = new Int8ConvTranspose2d(g, weight, weightQ, bias, inputQ, outputQ);
            Assert.Equal(path == Int8KernelPath.Scalar ? Int8KernelPath.Scalar : Int8KernelPath.Avx2, kernelUnderTest.Path);
            var actual = Layout.Poisoned(g.OutputLength);
            kernelUnderTest.Fork().Forward(Layout.ToNhwc(input, g.Batch, inChannels, g.InHeight, g.InWidth), actual, g.Batch);
            Assert.Equal(expected, Layout.ToNchw(actual, g.Batch, outChannels, g.OutHeight, g.OutWidth));
        }
    }

    [Theory]
    [FmaPath(false)]
    [FmaPath(true)]
    public void Upsample_equals_the_reference_on_both_paths(bool vector)
    {
        var random = new Random(42);
        for (int trial = 0; trial < 60; trial++)
        {
            var mode = (UpsampleMode)random.Next(2);
            bool align = mode == UpsampleMode.Bilinear && random.Next(2) == 0;
            int channels = random.Next(1, 40), height = random.Next(1, 7), width = random.Next(1, 7), batch = random.Next(1, 3);
            double scale = random.Next(3) switch { 0 => 2, 1 => 1.5, _ => 3 };
            bool bySize = random.Next(4) == 0;
            var g = Interpolation.Geometry(new Shape(batch, channels, height, width), bySize ? (7, 5) : null, bySize ? null : scale, mode, align);
            g = g with { Planes = channels };
            var input = Bytes(random, batch * channels * height * width);
            int zeroPoint = random.Next(0, 256);
            var expected = new byte[batch * channels * g.OutHeight * g.OutWidth];
            QUpsample2d.Forward(g with { Planes = batch * channels }, input, zeroPoint, expected);
            var kernel = new ChannelsLastUpsample(g, vector);
            Assert.Equal(vector, kernel.Vectorized);
            var actual = Layout.Poisoned(expected.Length);
            kernel.Forward(Layout.ToNhwc(input, batch, channels, height, width), actual, batch, zeroPoint);
            Assert.Equal(expected, Layout.ToNchw(actual, batch, channels, g.OutHeight, g.OutWidth));
        }
    }

    [Theory]
    [FmaPath(false)]
    [FmaPath(true)]
    public void BatchNorm_equals_the_reference_on_both_paths(bool vector)
    {
        var random = new Random(43);
        for (int trial = 0; trial < 60; trial++)
        {
            int channels = random.Next(1, 70), batch = random.Next(1, 3), pixels = random.Next(1, 30);
            float[] Values(float low, float width) => [.. Enumerable.Range(0, channels).Select(_ => low + random.NextSingle() * width)];
            var inputQ = new ActivationQParams(0.02f + random.NextSingle() * 0.05f, random.Next(0, 256));
            var outputQ = new ActivationQParams(0.005f + random.NextSingle() * 0.1f, random.Next(0, 256));
            var (alpha, beta) = QBatchNorm2d.Coefficients(Values(-1, 2), Values(0.1f, 2), Values(-2, 4), Values(-1, 2), 1e-5f, inputQ.Scale, outputQ.Scale);
            var activation = random.Next(2) == 0 ? FusedActivation.None : FusedActivation.ReLU;
            var input = Bytes(random, batch * channels * pixels);
            var expected = new byte[input.Length];
            QBatchNorm2d.Forward(input, inputQ, alpha, beta, batch, pixels, outputQ, activation, expected);
            var kernel = new ChannelsLastBatchNorm(alpha, beta, inputQ.ZeroPoint, outputQ.ZeroPoint, OutputRange.For(activation, outputQ), vector);
            Assert.Equal(vector, kernel.Vectorized);
            var actual = Layout.Poisoned(input.Length);
            kernel.Forward(Layout.ToNhwc(input, batch, channels, pixels, 1), actual);
            var result = Layout.ToNchw(actual, batch, channels, pixels, 1);
            Assert.Equal(expected, result);
        }
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}

/// <summary>The scalar path, or the AVX2+FMA one, reported as Skipped (naming it) on a machine without it.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class FmaPathAttribute(bool vector) : DataAttribute
{
    public override string? Skip
    {
        get => !vector || (Avx2.IsSupported && Fma.IsSupported) ? null : "NOT RUN: the AVX2+FMA path is not supported on this machine.";
        set { }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[vector]];
}
