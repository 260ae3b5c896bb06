using QuantGen.Kernels.Float;
using Xunit.Abstractions;

namespace QuantGen.Tests.Kernels;

public sealed class SgemmTests(ITestOutputHelper output)
{
    [Theory]
    [FloatPath(FloatKernelPath.Scalar), FloatPath(FloatKernelPath.Vector128), FloatPath(FloatKernelPath.Vector256), FloatPath(FloatKernelPath.Vector512)]
    public void MatchesReferenceOnRandomShapes(FloatKernelPath path)
    {
        using var forced = KernelPaths.Force(path, output);
        var random = new Random(1234);
        int[] sizes = [1, 2, 3, 4, 5, 7, 15, 16, 17, 31, 33, 49, 64, 100];
        for (int trial = 0; trial < 60; trial++)
        {
            int m = sizes[random.Next(sizes.Length)], n = sizes[random.Next(sizes.Length)], k = sizes[random.Next(sizes.Length)];
            Check(random, m, n, k, lda: k + random.Next(3), ldb: n + random.Next(3), ldc: n + random.Next(3), accumulate: trial % 3 == 0);
        }
    }

    [Theory]
    [FloatPath(FloatKernelPath.Scalar), FloatPath(FloatKernelPath.Vector128), FloatPath(FloatKernelPath.Vector256), FloatPath(FloatKernelPath.Vector512)]
    public void NarrowProductsOfEveryWidthMatchReference(FloatKernelPath path)
    {
        using var forced = KernelPaths.Force(path, output);
        var random = new Random(99);
        foreach (int n in new[] { 1, 2, 3, 4 })
        {
            foreach (int m in new[] { 1, 5, 16, 67, 160 })
            {
                foreach (int k in new[] { 1, 13, 64, 161 })
                {
                    Check(random, m, n, k, k, n, n, accumulate: false);
                    Check(random, m, n, k, k + 1, n + 2, n + 1, accumulate: true);
                }
            }
        }
    }

    [Theory]
    [FloatPath(FloatKernelPath.Scalar), FloatPath(FloatKernelPath.Vector128), FloatPath(FloatKernelPath.Vector256), FloatPath(FloatKernelPath.Vector512)]
    public void WideProductsLargerThanOneBlockMatchReference(FloatKernelPath path)
    {
        using var forced = KernelPaths.Force(path, output);
        var random = new Random(7);
        Check(random, m: 20, n: 1100, k: 70, lda: 70, ldb: 1100, ldc: 1100, accumulate: false); // several B blocks
        Check(random, m: 33, n: 40, k: 1300, lda: 1300, ldb: 40, ldc: 40, accumulate: true);    // long k
    }

    [Fact]
    public void EmptyKGivesZeroOrLeavesC()
    {
        var c = new float[] { 5, 6 };
        Sgemm.Multiply(1, 2, 0, [], 0, [], 2, c, 2, accumulate: true);
        Assert.Equal([5f, 6f], c);
        Sgemm.Multiply(1, 2, 0, [], 0, [], 2, c, 2);
        Assert.Equal([0f, 0f], c);
    }

    [Fact]
    public void RejectsOperandsTooShortForTheirShape()
    {
        Assert.Throws<ArgumentException>(() => Sgemm.Multiply(2, 2, 2, new float[3], 2, new float[4], 2, new float[4], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sgemm.Multiply(2, 2, 2, new float[4], 1, new float[4], 2, new float[4], 2));
    }

    private static void Check(Random random, int m, int n, int k, int lda, int ldb, int ldc, bool accumulate)
    {
        float[] a = TestData.Values(random, (long)m * lda), b = TestData.Values(random, (long)k * ldb);
        float[] c = accumulate ? TestData.Values(random, (long)m * ldc) : TestData.Poisoned((long)m * ldc);
        var expected = new double[m * n];
        var magnitudes = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = accumulate ? c[i * ldc + j] : 0, magnitude = Math.Abs(sum);
                for (int p = 0; p < k; p++)
                {
                    double term = (double)a[i * lda + p] * b[p * ldb + j];
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                expected[i * n + j] = sum;
                magnitudes[i * n + j] = magnitude;
            }
        }
        float[] before = (float[])c.Clone();

        Sgemm.Multiply(m, n, k, a, lda, b, ldb, c, ldc, accumulate);

        var actual = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                if (j < n) actual[i * n + j] = c[i * ldc + j];
                else Assert.Equal(before[i * ldc + j], c[i * ldc + j]); // padding between rows untouched
            }
        }
        Tolerance.AssertClose(actual, expected, magnitudes, k + 1, $"m={m} n={n} k={k} lda={lda} ldb={ldb} ldc={ldc} accumulate={accumulate}");
    }
}
