using QuantGen.IO;
using QuantGen.Training;

namespace QuantGen.Tests.Training;

/// <summary>Training depends only on the seed: initialisation, shuffling and every sum run in a fixed order.</summary>
public sealed class DeterminismTests
{
    [Fact]
    public async Task TwoSeededRunsGiveIdenticalWeightsBitForBit()
    {
        var first = TrainingRuns.Train(seed: 11, steps: 4).Model.StateDict();
        // The second run starts on another thread with the pool busy, so any dependence on scheduling would show.
        var busy = Enumerable.Range(0, 4).Select(_ => Task.Run(() => Thread.SpinWait(2_000_000))).ToArray();
        var second = await Task.Run(() => TrainingRuns.Train(seed: 11, steps: 4).Model.StateDict());
        await Task.WhenAll(busy);

        Assert.Equal(first.Keys, second.Keys);
        foreach (string key in first.Keys)
        {
            Assert.True(first[key].Bytes.SequenceEqual(second[key].Bytes), $"{key} differs between the runs");
        }
    }

    [Fact]
    public void AnotherSeedGivesOtherWeights()
    {
        var a = TrainingRuns.Train(seed: 1, steps: 1).Model.StateDict();
        var b = TrainingRuns.Train(seed: 2, steps: 1).Model.StateDict();
        Assert.False(a["fc2.weight"].Bytes.SequenceEqual(b["fc2.weight"].Bytes));
    }

    [Fact]
    public void EachEpochVisitsEveryImageOnceInASeededOrder()
    {
        var set = TrainingRuns.Mnist;
        var loader = new MnistLoader(set, batchSize: 1000, seed: 5);
        var again = new MnistLoader(set, batchSize: 1000, seed: 5);
        var firstEpoch = loader.NextEpoch().SelectMany(b => b.Labels).ToArray();
        Assert.Equal(firstEpoch, again.NextEpoch().SelectMany(b => b.Labels).ToArray());
        Assert.Equal(set.Count, firstEpoch.Length);
        Assert.Equal(set.Labels.ToArray().Select(l => (int)l).Order(), firstEpoch.Order());
        Assert.NotEqual(firstEpoch, loader.NextEpoch().SelectMany(b => b.Labels).ToArray());
    }

    [Fact]
    public void BatchesHoldNormalisedImagesAndTheirLabels()
    {
        var set = TrainingRuns.Mnist;
        var batch = new MnistLoader(set, batchSize: 3, shuffle: false).NextEpoch().First();
        Assert.Equal(new Shape(3, 1, 28, 28), batch.Images.Shape);
        Assert.Equal(set.ToTensor(0, 3).Data, batch.Images.Data);
        Assert.Equal([set.Labels[0], set.Labels[1], set.Labels[2]], batch.Labels);
        Assert.Equal(set.Count / 7, new MnistLoader(set, 7, dropLast: true).BatchCount);
    }
}
