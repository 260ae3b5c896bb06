using System.Globalization;

namespace TrainSmallCnn;

/// <summary>Command-line options; every one has a default that reaches ≥ 98 % top-1.</summary>
internal sealed record Options(int Epochs, int BatchSize, float LearningRate, int Seed, int? Limit, string? SavePath, string? SharedDirectory, string? PlotPath = null)
{
    public const string Usage =
        "usage: TrainSmallCnn [--epochs N (3)] [--batch-size N (64)] [--lr X (0.001)] [--seed N (0)] " +
        "[--limit N (train on the first N shuffled images per epoch)] [--save PATH.safetensors] [--shared DIR] " +
        "[--plot PATH.png (loss and running accuracy per step)]";

    /// <exception cref="ArgumentException">An unknown option or a value that does not parse.</exception>
    public static Options Parse(string[] args)
    {
        var options = new Options(Epochs: 3, BatchSize: 64, LearningRate: 1e-3f, Seed: 0, Limit: null, SavePath: null, SharedDirectory: null);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            options = args[i] switch
            {
                "--epochs" => options with { Epochs = Positive(args[i], Value()) },
                "--batch-size" => options with { BatchSize = Positive(args[i], Value()) },
                "--lr" => options with { LearningRate = float.Parse(Value(), CultureInfo.InvariantCulture) },
                "--seed" => options with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--limit" => options with { Limit = Positive(args[i], Value()) },
                "--save" => options with { SavePath = Value() },
                "--shared" => options with { SharedDirectory = Value() },
                "--plot" => options with { PlotPath = Value() },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}"),
            };
        }
        return options;
    }

    private static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new ArgumentException($"{name} needs a positive integer, got '{text}'.\n{Usage}");
}
