using System.Diagnostics;
using QuantGen;
using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Quantization;
using QuantGen.Samples;
using QuantGen.Training;
using Spectre.Console;
using static QuantGen.Quantization.EagerQuantization;

namespace MnistQuantization;

/// <summary>
/// The <c>qat</c> row: the float MobileNetV2 fine-tuned with quantization-aware training as PyTorch 1.13's eager
/// mode does it (fuse for QAT, <c>prepare_qat</c> with <c>default_qat_qconfig</c>, SGD), then converted to the same
/// int8 layers as static quantization. The schedule is a fraction of an epoch so that it runs in minutes on 2 cores;
/// PyTorch's own run trained longer.
/// </summary>
internal sealed class QatRecipe(Func<MobileNetV2> loadFloat, MnistSet train, string? plotPath)
{
    public const int Steps = 160;
    public const int BatchSize = 64;
    public const float LearningRate = 1e-4f;
    public const float Momentum = 0.9f;
    /// <summary>BatchNorm statistics freeze here (PyTorch's <c>freeze_bn_stats</c>), as its recipe does partway through.</summary>
    public const int FreezeBatchNormAt = 80;
    /// <summary>Observers freeze here (PyTorch's <c>disable_observer</c>): the last steps train against fixed qparams.</summary>
    public const int DisableObserversAt = 120;
    public const int Seed = 0;

    public static string Schedule =>
        $"{Steps} steps of batch {BatchSize} ({Steps * BatchSize:N0} training images), SGD lr {LearningRate:G} momentum {Momentum}, " +
        $"QConfig.DefaultQat, BN frozen at step {FreezeBatchNormAt}, observers at step {DisableObserversAt}, seed {Seed}";

    /// <summary>Fine-tunes, reporting each step on <paramref name="progress"/> (when given), converts, and returns the int8 model.</summary>
    public (MobileNetV2 Model, TimeSpan Training) Run(ProgressContext? progress)
    {
        var model = loadFloat();
        model.Train();
        Fusion.FuseModulesQat(model, model.FusionGroups());
        PrepareQat(model, QConfig.DefaultQat);
        var trainer = new Trainer(model, new Sgd(model.Parameters(), LearningRate, Momentum));
        var loader = new MnistLoader(train, BatchSize, shuffle: true, seed: Seed);
        var task = progress?.AddTask("qat: training", maxValue: Steps);
        var curves = new TrainingCurves($"MobileNetV2 QAT on MNIST: {Steps} steps of batch {BatchSize}");
        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        int step = 0, seen = 0, correct = 0;
        foreach (var batch in loader.NextEpoch().Take(Steps))
        {
            if (step == FreezeBatchNormAt) QuantizationAwareTraining.FreezeBatchNormStats(model);
            if (step == DisableObserversAt) QuantizationAwareTraining.DisableObservers(model);
            float loss = trainer.TrainStep(batch.Images, batch.Labels, out var logits);
            step++;
            lossSum += loss;
            seen += batch.Labels.Length;
            correct += CountCorrect(logits, batch.Labels);
            curves.Add(step, loss, 100.0 * correct / seen);
            if (task is null) continue;
            task.Description = $"qat: step {step}/{Steps}, loss {lossSum / step:F4}, train top-1 {100.0 * correct / seen:F2} %";
            task.Increment(1);
        }
        var training = clock.Elapsed;
        if (plotPath is not null) curves.SavePng(plotPath);
        model.Eval();
        Convert(model);
        return (model, training);
    }

    private static int CountCorrect(Tensor logits, int[] labels)
    {
        int classes = logits.Size(1), correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = logits.Data.AsSpan(i * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            if (best == labels[i]) correct++;
        }
        return correct;
    }
}
