using QuantGen.Nn;

namespace QuantGen.Tests.Nn;

/// <summary>The cheap float layers against float64 brute force written here, on random shapes.</summary>
public class LayerReferenceTests
{
    private static Tensor Random(Random random, params int[] dims)
    {
        var t = Tensor.Zeros(dims);
        for (int i = 0; i < t.Length; i++) t.Data[i] = random.NextSingle() * 4 - 2;
        return t;
    }

    public static TheoryData<int, int, int, int, bool> PoolCases => new()
    {
        // kernel, stride, padding, size, ceil mode
        { 2, 2, 0, 28, false },
        { 3, 2, 1, 7, false },
        { 3, 2, 1, 8, true },
        { 2, 2, 0, 5, true },
        { 3, 1, 1, 5, false },
        { 3, 3, 0, 10, true },
    };

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void MaxPool2d_matches_brute_force(int kernel, int stride, int padding, int size, bool ceil)
    {
        var x = Random(new Random(kernel * 100 + size), 2, 3, size, size + 1);
        var y = new MaxPool2d(kernel, stride, padding, ceilMode: ceil).Forward(x);

        int oh = OutSize(size, kernel, stride, padding, ceil), ow = OutSize(size + 1, kernel, stride, padding, ceil);
        Assert.Equal(new Shape(2, 3, oh, ow), y.Shape);
        for (int n = 0; n < 2; n++)
        for (int c = 0; c < 3; c++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            double best = double.NegativeInfinity;
            for (int r = i * stride - padding; r < i * stride - padding + kernel; r++)
            for (int q = j * stride - padding; q < j * stride - padding + kernel; q++)
            {
                if (r >= 0 && r < size && q >= 0 && q < size + 1) best = Math.Max(best, x[n, c, r, q]);
            }
            Assert.Equal((float)best, y[n, c, i, j]);
        }
    }

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void AvgPool2d_matches_brute_force_counting_padding_as_PyTorch(int kernel, int stride, int padding, int size, bool ceil)
    {
        var x = Random(new Random(kernel * 7 + size), 1, 2, size, size);
        foreach (bool includePad in new[] { true, false })
        {
            var y = new AvgPool2d(kernel, stride, padding, ceil, includePad).Forward(x);
            int o = OutSize(size, kernel, stride, padding, ceil);
            Assert.Equal(new Shape(1, 2, o, o), y.Shape);
            for (int c = 0; c < 2; c++)
            for (int i = 0; i < o; i++)
            for (int j = 0; j < o; j++)
            {
                // PyTorch: the window is clipped to the padded input for the divisor, then to the input for the sum.
                int h0 = i * stride - padding, w0 = j * stride - padding;
                int h1 = Math.Min(h0 + kernel, size + padding), w1 = Math.Min(w0 + kernel, size + padding);
                int padded = (h1 - h0) * (w1 - w0);
                double sum = 0;
                int inside = 0;
                for (int r = Math.Max(h0, 0); r < Math.Min(h1, size); r++)
                for (int q = Math.Max(w0, 0); q < Math.Min(w1, size); q++) { sum += x[0, c, r, q]; inside++; }
                double expected = sum / (includePad ? padded : inside);
                Assert.True(Math.Abs(expected - y[0, c, i, j]) < 1e-6, $"({c},{i},{j}) includePad={includePad}: {expected} vs {y[0, c, i, j]}");
            }
        }
    }

    [Theory]
    [InlineData(7, 7, 1, 1)]
    [InlineData(7, 5, 3, 2)]
    [InlineData(4, 4, 3, 3)]
    [InlineData(10, 9, 4, 5)]
    public void AdaptiveAvgPool2d_uses_floor_start_and_ceil_end_bins(int h, int w, int oh, int ow)
    {
        var x = Random(new Random(h * w), 2, 3, h, w);
        var y = new AdaptiveAvgPool2d((oh, ow)).Forward(x);
        for (int p = 0; p < 6; p++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            int r0 = (int)Math.Floor(i * (double)h / oh), r1 = (int)Math.Ceiling((i + 1) * (double)h / oh);
            int c0 = (int)Math.Floor(j * (double)w / ow), c1 = (int)Math.Ceiling((j + 1) * (double)w / ow);
            double sum = 0;
            for (int r = r0; r < r1; r++) for (int c = c0; c < c1; c++) sum += x.Data[(p * h + r) * w + c];
            double expected = sum / ((r1 - r0) * (c1 - c0));
            Assert.True(Math.Abs(expected - y.Data[(p * oh + i) * ow + j]) < 1e-6);
        }
    }

    [Fact]
    public void BatchNorm2d_in_eval_normalises_with_running_statistics()
    {
        var random = new Random(3);
        var bn = new BatchNorm2d(5, eps: 1e-3f);
        for (int c = 0; c < 5; c++)
        {
            bn.Weight!.Data[c] = random.NextSingle() + 0.5f;
            bn.Bias!.Data[c] = random.NextSingle() - 0.5f;
            bn.RunningMean.Data[c] = random.NextSingle() - 0.5f;
            bn.RunningVar.Data[c] = random.NextSingle() + 0.1f;
        }
        bn.Eval();
        var x = Random(random, 2, 5, 3, 4);
        var y = bn.Forward(x);
        for (int n = 0; n < 2; n++)
        for (int c = 0; c < 5; c++)
        for (int i = 0; i < 12; i++)
        {
            double expected = (x.Data[(n * 5 + c) * 12 + i] - (double)bn.RunningMean.Data[c]) / Math.Sqrt(bn.RunningVar.Data[c] + 1e-3)
                              * bn.Weight!.Data[c] + bn.Bias!.Data[c];
            Assert.True(Math.Abs(expected - y.Data[(n * 5 + c) * 12 + i]) < 1e-5);
        }
    }

    [Fact]
    public void BatchNorm2d_in_training_uses_batch_statistics_and_updates_the_running_ones_as_PyTorch()
    {
        var random = new Random(4);
        var bn = new BatchNorm2d(3, momentum: 0.1f);
        var x = Random(random, 4, 3, 2, 2);

        var y = bn.Forward(x);

        for (int c = 0; c < 3; c++)
        {
            var values = Enumerable.Range(0, 4).SelectMany(n => Enumerable.Range(0, 4).Select(i => (double)x.Data[(n * 3 + c) * 4 + i])).ToArray();
            double mean = values.Average();
            double biased = values.Sum(v => (v - mean) * (v - mean)) / values.Length;
            double unbiased = biased * values.Length / (values.Length - 1);
            Assert.True(Math.Abs(bn.RunningMean.Data[c] - 0.1 * mean) < 1e-6);
            Assert.True(Math.Abs(bn.RunningVar.Data[c] - (0.9 + 0.1 * unbiased)) < 1e-6);
            double first = (values[0] - mean) / Math.Sqrt(biased + 1e-5);
            Assert.True(Math.Abs(first - y.Data[c * 4]) < 1e-5);
        }
        Assert.Equal(1, bn.NumBatchesTracked);
    }

    [Fact]
    public void Softmax_rows_sum_to_one_and_match_float64()
    {
        var x = Random(new Random(5), 3, 4, 5);
        x.Data[0] = 80f;   // large enough to overflow exp without the max shift
        foreach (int dim in new[] { 0, 1, 2, -1 })
        {
            var y = new Softmax(dim).Forward(x);
            var (outer, size, inner) = Functional.SplitAround(x.Shape, dim);
            for (int o = 0; o < outer; o++)
            for (int k = 0; k < inner; k++)
            {
                double max = double.NegativeInfinity, sum = 0;
                for (int i = 0; i < size; i++) max = Math.Max(max, x.Data[(o * size + i) * inner + k]);
                for (int i = 0; i < size; i++) sum += Math.Exp(x.Data[(o * size + i) * inner + k] - max);
                for (int i = 0; i < size; i++)
                {
                    int at = (o * size + i) * inner + k;
                    Assert.True(Math.Abs(Math.Exp(x.Data[at] - max) / sum - y.Data[at]) < 1e-6, $"dim {dim} at {at}");
                }
            }
        }
    }

    [Fact]
    public void LayerNorm_matches_float64_with_affine_parameters()
    {
        var random = new Random(6);
        var ln = new LayerNorm([3, 4], eps: 1e-5f);
        for (int i = 0; i < 12; i++) { ln.Weight!.Data[i] = random.NextSingle() + 0.5f; ln.Bias!.Data[i] = random.NextSingle(); }
        var x = Random(random, 2, 5, 3, 4);

        var y = ln.Forward(x);

        for (int row = 0; row < 10; row++)
        {
            var v = x.Data.AsSpan(row * 12, 12).ToArray().Select(f => (double)f).ToArray();
            double mean = v.Average(), variance = v.Sum(e => (e - mean) * (e - mean)) / 12;
            for (int i = 0; i < 12; i++)
            {
                double expected = (v[i] - mean) / Math.Sqrt(variance + 1e-5) * ln.Weight!.Data[i] + ln.Bias!.Data[i];
                Assert.True(Math.Abs(expected - y.Data[row * 12 + i]) < 1e-5);
            }
        }
        Assert.Throws<ShapeMismatchException>(() => ln.Forward(Tensor.Zeros(2, 4, 3)));
    }

    [Fact]
    public void ReLU6_and_ReLU_clamp_and_let_NaN_through()
    {
        var x = Tensor.FromArray([-1f, 0f, 3f, 7f, float.NaN, -0.5f, 6f, 100f, 1f, 2f, -3f, 5.5f, 6.5f, 0.25f, -9f, 8f, 4f], 17);
        var relu6 = new ReLU6().Forward(x);
        var relu = new ReLU().Forward(x);
        for (int i = 0; i < 17; i++)
        {
            float v = x.Data[i];
            Assert.Equal(float.IsNaN(v) ? float.NaN : Math.Clamp(v, 0, 6), relu6.Data[i]);
            Assert.Equal(float.IsNaN(v) ? float.NaN : Math.Max(v, 0), relu.Data[i]);
        }
    }

    [Fact]
    public void Dropout_is_the_identity_in_eval_and_scales_survivors_in_training()
    {
        var x = Tensor.Full(1f, 10000);
        var dropout = new Dropout(0.25f, seed: 1);
        var trained = dropout.Forward(x);
        int kept = trained.Data.Count(v => v != 0);
        Assert.InRange(kept, 7200, 7800);
        Assert.All(trained.Data.Where(v => v != 0), v => Assert.Equal(1f / 0.75f, v, 1e-6f));
        dropout.Eval();
        Assert.Same(x, dropout.Forward(x));
    }

    private static int OutSize(int size, int kernel, int stride, int padding, bool ceil)
    {
        double raw = (size + 2 * padding - kernel) / (double)stride;
        int o = (ceil ? (int)Math.Ceiling(raw) : (int)Math.Floor(raw)) + 1;
        if (ceil && (o - 1) * stride >= size + padding) o--;
        return o;
    }
}
