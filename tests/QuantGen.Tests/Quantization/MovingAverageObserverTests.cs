using QuantGen.Quantization;

namespace QuantGen.Tests.Quantization;

public class MovingAverageObserverTests
{
    [Fact]
    public void The_first_batch_sets_the_range_and_later_ones_move_it_by_the_averaging_constant()
    {
        var observer = new MovingAverageMinMaxObserver();
        Assert.Equal(0.01f, observer.AveragingConstant);

        observer.Forward(Batch(-1f, 2f));
        Assert.Equal((-1f, 2f), (observer.MinVal, observer.MaxVal));

        observer.Forward(Batch(-3f, 4f));
        // -1 + 0.01 · (-3 - -1) = -1.02 and 2 + 0.01 · (4 - 2) = 2.02, each the nearest float32.
        Assert.Equal((-1.02f, 2.02f), (observer.MinVal, observer.MaxVal));
    }

    [Fact]
    public void With_constant_one_half_the_range_moves_halfway()
    {
        var observer = new MovingAverageMinMaxObserver(averagingConstant: 0.5f);

        observer.Forward(Batch(0f, 10f));
        observer.Forward(Batch(-10f, 20f));

        Assert.Equal((-5f, 15f), (observer.MinVal, observer.MaxVal));
    }

    [Fact]
    public void Unlike_MinMax_an_outlier_batch_moves_the_range_only_a_little()
    {
        var moving = new MovingAverageMinMaxObserver();
        var minMax = new MinMaxObserver();
        foreach (var batch in new[] { Batch(0f, 1f), Batch(0f, 101f), Batch(0f, 1f) })
        {
            moving.Forward(batch);
            minMax.Forward(batch);
        }

        Assert.Equal(101f, minMax.MaxVal);
        Assert.InRange(moving.MaxVal, 1.99f, 2.01f);   // 1 + 0.01·100 = 2, then 2 + 0.01·(1 - 2) = 1.99
    }

    [Fact]
    public void The_per_channel_moving_average_updates_each_channel_by_the_same_rule()
    {
        var observer = new MovingAveragePerChannelMinMaxObserver(averagingConstant: 0.25f, dtype: QDType.QInt8, qscheme: QScheme.PerChannelSymmetric);
        var first = Tensor.FromArray([-1f, 1f, 0f, 4f], 2, 2);
        var second = Tensor.FromArray([-5f, 5f, -8f, 8f], 2, 2);

        observer.Forward(first);
        observer.Forward(second);

        Assert.Equal([-2f, -2f], observer.MinVal.ToArray());   // -1 + 0.25·(-5 + 1); 0 + 0.25·(-8 - 0)
        Assert.Equal([2f, 5f], observer.MaxVal.ToArray());     // 1 + 0.25·(5 - 1); 4 + 0.25·(8 - 4)
    }

    private static Tensor Batch(float min, float max) => Tensor.FromArray([max, min, (min + max) / 2], 3);
}
