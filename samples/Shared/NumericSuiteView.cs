using System.Globalization;
using QuantGen.Quantization;
using ScottPlot;
using Spectre.Console;

namespace QuantGen.Samples;

/// <summary>
/// A <see cref="NumericSuiteReport"/> on the terminal (a Spectre.Console table) and as a PNG (a ScottPlot bar chart of
/// each layer's SQNR). Kept in the samples rather than the runtime: the library stays free of console and native
/// drawing dependencies (SkiaSharp), and an application copies whichever view it wants.
/// </summary>
internal static class NumericSuiteView
{
    /// <summary>One row a layer: its output SQNR and absolute errors, then the SQNR it has by itself ("own") and its weight's.</summary>
    public static Table ToTable(NumericSuiteReport report, string title)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{Markup.Escape(title)}: {report.Layers.Count} int8 layers, {report.Samples} samples")
            .AddColumn(new TableColumn("layer").NoWrap()).AddColumn(new TableColumn("kind").NoWrap())
            .AddColumn(new TableColumn("SQNR dB").RightAligned())
            .AddColumn(new TableColumn("max |e|").RightAligned())
            .AddColumn(new TableColumn("mean |e|").RightAligned())
            .AddColumn(new TableColumn("own dB").RightAligned())
            .AddColumn(new TableColumn("weight dB").RightAligned());
        foreach (var layer in report.Layers)
        {
            table.AddRow(
                Markup.Escape(layer.Path), layer.Kind, Db(layer.Output), $"{layer.Output.MaxAbsError:F3}", $"{layer.Output.MeanAbsError:F4}",
                layer.ByItself is { } own ? Db(own) : "-", layer.Weight is { } weight ? Db(weight) : "-");
        }
        return table;
    }

    /// <summary>Bars of each layer's output SQNR (with the int8 error before it) and of the SQNR it has by itself, in model order.</summary>
    public static void SavePng(NumericSuiteReport report, string title, string path)
    {
        var plot = new Plot();
        plot.Title(title);
        var output = new List<Bar>();
        var own = new List<Bar>();
        for (int i = 0; i < report.Layers.Count; i++)
        {
            var layer = report.Layers[i];
            output.Add(new Bar { Position = i - 0.2, Value = Finite(layer.Output.SqnrDb), Size = 0.4, FillColor = Colors.SteelBlue });
            if (layer.ByItself is { } e) own.Add(new Bar { Position = i + 0.2, Value = Finite(e.SqnrDb), Size = 0.4, FillColor = Colors.Orange });
        }
        plot.Add.Bars(output).LegendText = "output SQNR (error carried in)";
        plot.Add.Bars(own).LegendText = "by itself";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. report.Layers.Select((l, i) => new Tick(i, l.Path))]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 160;
        plot.Axes.Left.Label.Text = "SQNR (dB), higher is better";
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Edge.Top);   // outside the bars: every corner has tall ones
        plot.SavePng(path, Math.Max(1000, 22 * report.Layers.Count), 650);
    }

    private static string Db(ErrorSummary e) => double.IsPositiveInfinity(e.SqnrDb) ? "exact" : e.SqnrDb.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>An exact layer (+∞ dB) draws as a tall bar instead of breaking the axis.</summary>
    private static double Finite(double db) => double.IsPositiveInfinity(db) ? 100 : db;
}
