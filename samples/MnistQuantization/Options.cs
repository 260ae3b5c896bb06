namespace MnistQuantization;

/// <summary>The command line: <c>[--json PATH] [--limit N] [--shared DIR] [--plot PATH] [--report [PNG]]</c>.</summary>
internal sealed record Options(string? JsonPath, int? Limit, string? SharedDirectory, string? PlotPath = null, string? ReportPath = null)
{
    public const string Usage =
        "usage: MnistQuantization [--json PATH] [--limit N] [--shared DIR] [--plot PATH] [--report [PNG]]\n" +
        "  --json PATH   also write the rows as JSON (keys: name, size_mb, top1, top5, lat_b1_ms, lat_b64_ms)\n" +
        "  --limit N     evaluate only the first N test images (default: all 10,000)\n" +
        "  --shared DIR  the shared folder with fixtures/ and data/mnist (default: found beside the repository)\n" +
        "  --plot PATH   save the qat row's training loss and accuracy curves as a PNG\n" +
        "  --report [PNG] the numeric suite's per-layer table for the static MinMax model, its SQNR chart as PNG\n" +
        "                (default " + DefaultReportPath + "), and a mixed-precision row";

    public const string DefaultReportPath = "numeric-suite.png";

    public static Options Parse(string[] args)
    {
        string? json = null, shared = null, plot = null, report = null;
        int? limit = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            switch (args[i])
            {
                case "--json": json = Value(); break;
                case "--shared": shared = Value(); break;
                case "--plot": plot = Value(); break;
                case "--report": report = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : DefaultReportPath; break;
                case "--limit":
                    string text = Value();
                    limit = int.TryParse(text, out int n) && n > 0 ? n : throw new ArgumentException($"--limit needs a positive number, got '{text}'.");
                    break;
                case "-h" or "--help": throw new ArgumentException(Usage);
                default: throw new ArgumentException($"Unknown argument '{args[i]}'.\n{Usage}");
            }
        }
        return new Options(json, limit, shared, plot, report);
    }
}
