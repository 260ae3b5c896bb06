using QuantGen.Nn;
using QuantGen.Tests.Autograd;

namespace QuantGen.Tests.Training;

/// <summary>Training-mode BatchNorm2d updates its running statistics as PyTorch does.</summary>
public sealed class BatchNormRunningStatsTests
{
    /// <summary>
    /// PyTorch: running_mean = (1 − m)·running_mean + m·mean and running_var = (1 − m)·running_var + m·var·n/(n − 1)
    /// (the unbiased variance), m = 0.1, num_batches_tracked += 1, computed here in double. The buffers are float32
    /// and QuantGen's momentum is the float32 0.1f, so they agree to a few float32 ulps (1e-6 relative); the biased
    /// variance would be off by n/(n − 1) = 24/23, 4 %.
    /// </summary>
    [Fact]
    public void RunningStatisticsFollowPyTorchsUpdateRule()
    {
        var bn = new BatchNorm2d(3);
        double[] mean = [0, 0, 0], variance = [1, 1, 1];
        for (int step = 0; step < 3; step++)
        {
            var x = GradCheck.Random(100 + step, 4, 3, 2, 3);
            for (int i = 0; i < x.Length; i++) x.Data[i] = x.Data[i] * (step + 1) + step;
            bn.Forward(x);
            for (int c = 0; c < 3; c++)
            {
                var values = Channel(x, c);
                double batchMean = values.Average();
                double unbiased = values.Sum(v => (v - batchMean) * (v - batchMean)) / (values.Length - 1);
                mean[c] = 0.9 * mean[c] + 0.1 * batchMean;
                variance[c] = 0.9 * variance[c] + 0.1 * unbiased;
                Assert.Equal(mean[c], bn.RunningMean.Data[c], 1e-6 * Math.Max(1, Math.Abs(mean[c])));
                Assert.Equal(variance[c], bn.RunningVar.Data[c], 1e-6 * Math.Max(1, variance[c]));
            }
            Assert.Equal(step + 1, bn.NumBatchesTracked);
        }
    }

    [Fact]
    public void EvalModeLeavesTheRunningStatisticsAlone()
    {
        var bn = new BatchNorm2d(2);
        bn.Forward(GradCheck.Random(1, 2, 2, 2, 2));
        var mean = (float[])bn.RunningMean.Data.Clone();
        bn.Eval();
        bn.Forward(GradCheck.Random(2, 2, 2, 2, 2));
        Assert.Equal(mean, bn.RunningMean.Data);
        Assert.Equal(1, bn.NumBatchesTracked);
    }

    private static double[] Channel(Tensor x, int c)
    {
        int batch = x.Size(0), channels = x.Size(1), plane = x.Size(2) * x.Size(3);
        var values = new List<double>();
        for (int n = 0; n < batch; n++)
        {
            for (int i = 0; i < plane; i++) values.Add(x.Data[(n * channels + c) * plane + i]);
        }
        return [.. values];
    }
}
