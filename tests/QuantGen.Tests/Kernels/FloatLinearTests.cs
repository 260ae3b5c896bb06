using QuantGen.Kernels.Float;
using Xunit.Abstractions;

namespace QuantGen.Tests.Kernels;

public sealed class FloatLinearTests(ITestOutputHelper output)
{
    [Theory]
    [FloatPath(FloatKernelPath.Scalar), FloatPath(FloatKernelPath.Vector128), FloatPath(FloatKernelPath.Vector256), FloatPath(FloatKernelPath.Vector512)]
    public void MatchesReference(FloatKernelPath path)
    {
        using var forced = KernelPaths.Force(path, output);
        var random = new Random(42);
        (int Batch, int In, int Out)[] shapes =
        [
            (1, 1280, 10), (64, 1280, 10), (1, 1, 1), (2, 7, 3), (3, 33, 17), (4, 16, 5), (5, 19, 40), (17, 100, 33), (64, 64, 64),
        ];
        foreach (var (batch, inFeatures, outFeatures) in shapes)
        {
            Check(random, batch, inFeatures, outFeatures, withBias: true);
            Check(random, batch, inFeatures, outFeatures, withBias: false);
        }
    }

    [Fact]
    public void RejectsMismatchedLengths()
    {
        Assert.Throws<ShapeMismatchException>(() => FloatLinear.Forward(new float[6], new float[6], [], 2, 3, 2, new float[3]));
        Assert.Throws<ShapeMismatchException>(() => FloatLinear.Forward(new float[6], new float[6], new float[3], 2, 3, 2, new float[4]));
    }

    private static void Check(Random random, int batch, int inFeatures, int outFeatures, bool withBias)
    {
        float[] x = TestData.Values(random, batch * inFeatures), w = TestData.Values(random, outFeatures * inFeatures);
        float[] b = withBias ? TestData.Values(random, outFeatures) : [];
        float[] y = TestData.Poisoned(batch * outFeatures);
        var expected = new double[y.Length];
        var magnitudes = new double[y.Length];
        for (int i = 0; i < batch; i++)
        {
            for (int o = 0; o < outFeatures; o++)
            {
                double sum = withBias ? b[o] : 0, magnitude = Math.Abs(sum);
                for (int p = 0; p < inFeatures; p++)
                {
                    double term = (double)x[i * inFeatures + p] * w[o * inFeatures + p];
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                expected[i * outFeatures + o] = sum;
                magnitudes[i * outFeatures + o] = magnitude;
            }
        }

        FloatLinear.Forward(x, w, b, batch, inFeatures, outFeatures, y);

        Tolerance.AssertClose(y, expected, magnitudes, inFeatures + 1, $"Linear batch={batch} in={inFeatures} out={outFeatures} bias={withBias}");
    }
}
