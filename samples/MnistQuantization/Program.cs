using MnistQuantization;
using QuantGen;
using QuantGen.IO;
using QuantGen.Samples;
using Spectre.Console;

// The seed's experiment: MobileNetV2 trained in PyTorch on MNIST, evaluated here in each numeric form.
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
    string shared = options.SharedDirectory ?? SharedData.Locate();
    var test = MnistSet.LoadTest(Path.Combine(shared, "data", "mnist"));
    int images = Math.Min(options.Limit ?? test.Count, test.Count);
    var experiment = new Experiment(shared, options.PlotPath, report: options.ReportPath is not null);

    var rows = new List<ResultRow>();
    var phases = new Phases();
    var batch1 = test.ToTensor(0, 1);
    var batch64 = test.ToTensor(0, Math.Min(64, test.Count));
    AnsiConsole.Progress()
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
        .Start(context =>
        {
            foreach (var recipe in experiment.Recipes)
            {
                Action<int> calibrationProgress = _ => { };
                if (recipe.Calibrates)
                {
                    var calibration = context.AddTask($"{recipe.Name}: calibrating", maxValue: Experiment.CalibrationImages);
                    calibrationProgress = n => calibration.Increment(n);
                }
                var variants = phases.Time($"{recipe.Name}: {recipe.Steps}",
                    () => recipe.BuildWithProgress?.Invoke(context) ?? recipe.Build(calibrationProgress));
                foreach (var variant in variants)
                {
                    var task = context.AddTask($"{variant.Name}: evaluating", maxValue: images);
                    var (top1, top5) = phases.Time($"{variant.Name}: evaluate", () => Accuracy.Evaluate(variant, test, images, n => task.Increment(n)));
                    task.Description = $"{variant.Name}: timing";
                    var (b1, b64) = phases.Time($"{variant.Name}: latency",
                        () => (Latency.MedianMilliseconds(variant, batch1), Latency.MedianMilliseconds(variant, batch64)));
                    task.Description = $"{variant.Name}: done";
                    rows.Add(new ResultRow(variant.Name, variant.SizeBytes / 1e6, top1, top5, b1, b64));
                }
            }
        });

    if (experiment.NumericSuiteReport is { } suite)
    {
        const string title = "Numeric suite: static/minmax-per-tensor against float";
        AnsiConsole.Write(NumericSuiteView.ToTable(suite, title));
        NumericSuiteView.SavePng(suite, $"{title} ({suite.Samples} training images)", options.ReportPath!);
        AnsiConsole.MarkupLine($"Per-layer SQNR chart written to [blue]{Markup.Escape(options.ReportPath!)}[/].");
    }
    AnsiConsole.Write(Report.ToTable(rows, images));
    if (experiment.MixedPrecision is { } mixed)
    {
        AnsiConsole.MarkupLine(
            $"mixed/amp: {mixed.KeptFloat.Count} of {mixed.Int8Layers} int8 layers kept float for a top-1 drop within {mixed.MaxTop1Drop} on " +
            $"{Experiment.HeldOutImages:N0} held-out training images (float {mixed.FloatTop1:F2} %, int8 {mixed.Int8Top1:F2} %, mixed {mixed.MixedTop1:F2} %; " +
            $"{mixed.Trials.Count} models tried{(mixed.MeetsTarget ? "" : "; target not met")}).");
        if (mixed.KeptFloat.Count == 0) AnsiConsole.WriteLine("Static int8 is already within the target there: nothing to keep in float.");
        else AnsiConsole.WriteLine($"To keep them in the generated pass: {mixed.KeepFloatAttribute}");
    }
    AnsiConsole.Write(phases.ToTable());
    if (experiment.QatTrainingSeconds > 0) AnsiConsole.MarkupLine($"qat: {Markup.Escape(QatRecipe.Schedule)}; training took {experiment.QatTrainingSeconds:F0} s.");
    if (options.JsonPath is not null)
    {
        Report.WriteJson(options.JsonPath, rows);
        AnsiConsole.MarkupLine($"Rows written to [blue]{Markup.Escape(options.JsonPath)}[/].");
    }
    return 0;
}
catch (Exception e) when (e is QuantGenException or IOException)
{
    AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
    return 1;
}
