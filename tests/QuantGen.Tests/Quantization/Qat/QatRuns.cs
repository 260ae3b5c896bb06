using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;
using QuantGen.Tests.Training;
using QuantGen.Training;

namespace QuantGen.Tests.Quantization.Qat;

/// <summary>The fixture's trained SmallCnn through QAT: fused for training, prepared, fine-tuned on a few hundred MNIST images.</summary>
internal static class QatRuns
{
    /// <summary>The trained SmallCnn fused with its BatchNorm kept for training and prepared for QAT, in training mode.</summary>
    public static SmallCnn Prepared(QConfig qconfig)
    {
        var model = TrainedModels.SmallCnn();
        model.Train();
        Fusion.FuseModulesQat(model, SmallCnn.FusionGroups);
        QuantizationAwareTraining.PrepareQat(model, qconfig);
        return model;
    }

    /// <summary>
    /// <paramref name="steps"/> SGD steps of batch 16 over the first test images (seeded order); the observers and
    /// the BatchNorm statistics freeze after half of them (a run of one step never freezes), as a QAT schedule does partway.
    /// </summary>
    public static (SmallCnn Model, Trainer Trainer) FineTune(int seed, int steps, QConfig? qconfig = null)
    {
        var model = Prepared(qconfig ?? QConfig.DefaultQat);
        var trainer = new Trainer(model, new Sgd(model.Parameters(), learningRate: 1e-4f, momentum: 0.9f));
        var loader = new MnistLoader(TrainingImages, batchSize: 16, seed: seed);
        int step = 0;
        foreach (var batch in loader.NextEpoch().Take(steps))
        {
            if (step++ == Math.Max(1, steps / 2))
            {
                QuantizationAwareTraining.DisableObservers(model);
                QuantizationAwareTraining.FreezeBatchNormStats(model);
            }
            trainer.TrainStep(batch.Images, batch.Labels);
        }
        return (model, trainer);
    }

    /// <summary>The first 320 test images: what the short runs train on.</summary>
    public static QuantGen.IO.MnistSet TrainingImages => Subsets.Value.Train;

    /// <summary>500 other test images, for accuracy before and after.</summary>
    public static QuantGen.IO.MnistSet HeldOut => Subsets.Value.HeldOut;

    private static readonly Lazy<(QuantGen.IO.MnistSet Train, QuantGen.IO.MnistSet HeldOut)> Subsets = new(() =>
        (TrainingRuns.Mnist.Slice(0, 320), TrainingRuns.Mnist.Slice(5000, 500)));

    /// <summary>Top-1 (in percent) of the model as it runs now (eval mode, no graph).</summary>
    public static double TopOne(Module model, QuantGen.IO.MnistSet set)
    {
        bool training = model.Training;
        model.Eval();
        using var noGrad = QuantGen.Autograd.GradMode.NoGrad();
        var logits = model.Forward(set.ToTensor(0, set.Count));
        int correct = 0;
        for (int i = 0; i < set.Count; i++)
        {
            var row = logits.Data.AsSpan(i * 10, 10);
            int best = 0;
            for (int c = 1; c < 10; c++) if (row[c] > row[best]) best = c;
            if (best == set.Labels[i]) correct++;
        }
        model.Train(training);
        return 100.0 * correct / set.Count;
    }
}
