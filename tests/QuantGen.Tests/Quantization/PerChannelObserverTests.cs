using QuantGen.Quantization;

namespace QuantGen.Tests.Quantization;

/// <summary>Per-channel observers against a brute force that walks every element by its full index.</summary>
public class PerChannelObserverTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Running_per_channel_extremes_and_qparams_match_a_brute_force(int axis)
    {
        var random = new Random(1234 + axis);
        int[] dims = [6, 5, 3, 4];
        var batches = Enumerable.Range(0, 3).Select(_ => RandomTensor(random, dims)).ToArray();
        var observer = new PerChannelMinMaxObserver(chAxis: axis, dtype: QDType.QInt8, qscheme: QScheme.PerChannelSymmetric);

        foreach (var batch in batches) observer.Forward(batch);
        var (min, max) = BruteForce(batches, axis);
        var qparams = observer.CalculateQParams();

        Assert.Equal(min, observer.MinVal.ToArray());
        Assert.Equal(max, observer.MaxVal.ToArray());
        Assert.Equal(axis, qparams.Axis);
        for (int c = 0; c < min.Length; c++)
        {
            var expected = QParamsCalculator.PerTensor(min[c], max[c], QDType.QInt8, QScheme.PerTensorSymmetric, QuantRange.For(QDType.QInt8));
            Assert.Equal(expected.Scale, qparams.Scales[c]);
            Assert.Equal(expected.ZeroPoint, qparams.ZeroPoints[c]);
        }
    }

    [Fact]
    public void Affine_per_channel_gives_each_channel_its_own_zero_point()
    {
        var observer = new PerChannelMinMaxObserver();   // quint8, per-channel affine, axis 0
        observer.Forward(Tensor.FromArray([0f, 2f, -1f, 3f, -4f, 0f], 3, 2));

        var qparams = observer.CalculateQParams();

        Assert.Equal([0, 64, 255], qparams.ZeroPoints.ToArray());
    }

    [Fact]
    public void A_batch_with_a_different_channel_count_is_rejected_and_names_the_expected_count()
    {
        var observer = new PerChannelMinMaxObserver();
        observer.Forward(Tensor.Zeros(4, 2));

        var error = Assert.Throws<ShapeMismatchException>(() => observer.Forward(Tensor.Zeros(3, 2)));

        Assert.Contains("4 channels", error.Message);
        Assert.Equal(4, observer.MinVal.Length);
    }

    [Fact]
    public void A_channel_axis_beyond_the_input_rank_is_rejected_and_a_negative_one_up_front()
    {
        var observer = new PerChannelMinMaxObserver(chAxis: 2);

        Assert.Throws<ShapeMismatchException>(() => observer.Forward(Tensor.Zeros(3, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerChannelMinMaxObserver(chAxis: -1));
    }

    private static Tensor RandomTensor(Random random, int[] dims)
    {
        var tensor = Tensor.Zeros(dims);
        for (int i = 0; i < tensor.Length; i++) tensor.Data[i] = (float)(random.NextDouble() * 20 - 7);
        return tensor;
    }

    private static (float[] Min, float[] Max) BruteForce(Tensor[] batches, int axis)
    {
        int channels = batches[0].Size(axis);
        var min = Enumerable.Repeat(float.PositiveInfinity, channels).ToArray();
        var max = Enumerable.Repeat(float.NegativeInfinity, channels).ToArray();
        foreach (var batch in batches)
        {
            int[] dims = batch.Shape.ToArray();
            int[] index = new int[dims.Length];
            for (int flat = 0; flat < batch.Length; flat++)
            {
                int rest = flat;
                for (int d = dims.Length - 1; d >= 0; d--)
                {
                    index[d] = rest % dims[d];
                    rest /= dims[d];
                }
                float value = batch[index];
                int c = index[axis];
                min[c] = Math.Min(min[c], value);
                max[c] = Math.Max(max[c], value);
            }
        }
        return (min, max);
    }
}
