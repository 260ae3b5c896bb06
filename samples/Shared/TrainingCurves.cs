using ScottPlot;

namespace QuantGen.Samples;

/// <summary>Loss and running top-1 per training step, saved as one PNG (<c>--plot PATH</c>): loss on the left axis, accuracy on the right.</summary>
internal sealed class TrainingCurves(string title)
{
    private readonly List<double> steps = [];
    private readonly List<double> losses = [];
    private readonly List<double> accuracies = [];

    public void Add(int step, double loss, double topOnePercent)
    {
        steps.Add(step);
        losses.Add(loss);
        accuracies.Add(topOnePercent);
    }

    /// <summary>Writes the curves to <paramref name="path"/> (PNG, 1000×500).</summary>
    public void SavePng(string path)
    {
        var plot = new Plot();
        plot.Title(title);
        var loss = plot.Add.ScatterLine(steps, losses);
        loss.LegendText = "training loss (batch mean)";
        var accuracy = plot.Add.ScatterLine(steps, accuracies);
        accuracy.LegendText = "running train top-1 (%)";
        accuracy.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Bottom.Label.Text = "step";
        plot.Axes.Left.Label.Text = "loss";
        plot.Axes.Right.Label.Text = "top-1 (%)";
        plot.ShowLegend(Alignment.MiddleRight);
        plot.SavePng(path, 1000, 500);
    }
}
