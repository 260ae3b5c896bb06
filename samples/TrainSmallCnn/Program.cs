using System.Diagnostics;
using QuantGen;
using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Training;
using QuantGen.Samples;
using Spectre.Console;
using TrainSmallCnn;

// Trains SmallCnn from scratch in float on MNIST with QuantGen's autograd and Adam; no Python involved.
Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

try
{
    string mnist = Path.Combine(options.SharedDirectory ?? SharedData.Locate(), "data", "mnist");
    var train = MnistSet.LoadTrain(mnist);
    var test = MnistSet.LoadTest(mnist);

    Init.ManualSeed(options.Seed);
    var model = new SmallCnn();
    var optimizer = new Adam(model.Parameters(), options.LearningRate);
    var trainer = new Trainer(model, optimizer);
    var loader = new MnistLoader(train, options.BatchSize, shuffle: true, seed: options.Seed);
    int stepsPerEpoch = Math.Min(loader.BatchCount, options.Limit is { } limit ? (limit + options.BatchSize - 1) / options.BatchSize : int.MaxValue);

    AnsiConsole.MarkupLine($"SmallCnn, {model.ParameterCount():N0} parameters; Adam lr={options.LearningRate}, batch {options.BatchSize}, {options.Epochs} epoch(s) of {stepsPerEpoch} steps, seed {options.Seed}.");
    var table = new Table().AddColumns("epoch", "lr", "mean train loss", "train top-1 (running)", "test top-1", "seconds");
    var curves = new TrainingCurves($"SmallCnn on MNIST: Adam lr {options.LearningRate:G3}, batch {options.BatchSize}, seed {options.Seed}");
    int globalStep = 0;
    var clock = Stopwatch.StartNew();
    AnsiConsole.Progress()
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
        .Start(context =>
        {
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                // The last epoch runs at a tenth of the rate: a simple step schedule that settles the weights.
                optimizer.LearningRate = epoch == options.Epochs && options.Epochs > 1 ? options.LearningRate / 10 : options.LearningRate;
                var task = context.AddTask($"epoch {epoch}", maxValue: stepsPerEpoch);
                double lossSum = 0;
                int seen = 0, correct = 0, steps = 0;
                var epochClock = Stopwatch.StartNew();
                foreach (var batch in loader.NextEpoch().Take(stepsPerEpoch))
                {
                    float loss = trainer.TrainStep(batch.Images, batch.Labels, out var logits);
                    lossSum += loss;
                    steps++;
                    seen += batch.Labels.Length;
                    correct += Accuracy.CountCorrect(logits, batch.Labels);
                    curves.Add(++globalStep, loss, 100.0 * correct / seen);
                    task.Description = $"epoch {epoch}: loss {lossSum / steps:F4}, train top-1 {100.0 * correct / seen:F2} %";
                    task.Increment(1);
                }
                double testAccuracy = Accuracy.TopOne(model, test);
                table.AddRow($"{epoch}", $"{optimizer.LearningRate:G3}", $"{lossSum / steps:F4}", $"{100.0 * correct / seen:F2} %", $"{100 * testAccuracy:F2} %", $"{epochClock.Elapsed.TotalSeconds:F1}");
            }
        });
    AnsiConsole.Write(table);
    double final = Accuracy.TopOne(model, test);
    AnsiConsole.MarkupLine($"Test top-1 after {options.Epochs} epoch(s): [bold]{100 * final:F2} %[/] ({clock.Elapsed.TotalSeconds:F1} s in all).");
    if (options.PlotPath is not null)
    {
        curves.SavePng(options.PlotPath);
        AnsiConsole.MarkupLine($"Training curves written to [blue]{Markup.Escape(options.PlotPath)}[/].");
    }
    if (options.SavePath is not null)
    {
        SafeTensors.Save(options.SavePath, model.StateDict());
        AnsiConsole.MarkupLine($"Weights written to [blue]{Markup.Escape(options.SavePath)}[/] (PyTorch names and layout).");
    }
    return 0;
}
catch (Exception e) when (e is QuantGenException or IOException)
{
    AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
    return 1;
}
