using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Training;

namespace QuantGen.Tests.Training;

/// <summary>Short seeded SmallCnn training runs on real MNIST images (the 10k test split, loaded once).</summary>
internal static class TrainingRuns
{
    private static readonly Lazy<MnistSet> Images = new(() => MnistSet.LoadTest());

    public static MnistSet Mnist => Images.Value;

    /// <summary>A SmallCnn initialised from <paramref name="seed"/>, trained with Adam for <paramref name="steps"/> batches of 16.</summary>
    public static (SmallCnn Model, Trainer Trainer) Train(int seed, int steps)
    {
        Init.ManualSeed(seed);
        var model = new SmallCnn();
        var trainer = new Trainer(model, new Adam(model.Parameters(), learningRate: 2e-3f));
        var loader = new MnistLoader(Mnist, batchSize: 16, seed: seed);
        foreach (var batch in loader.NextEpoch().Take(steps)) trainer.TrainStep(batch.Images, batch.Labels);
        return (model, trainer);
    }
}
