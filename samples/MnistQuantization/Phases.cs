using System.Diagnostics;
using Spectre.Console;

namespace MnistQuantization;

/// <summary>Where the main job's time goes: each phase's wall time, in the order they ran, and the whole run's.</summary>
internal sealed class Phases
{
    private readonly Stopwatch total = Stopwatch.StartNew();
    private readonly List<(string Name, TimeSpan Time)> phases = [];

    /// <summary>Runs <paramref name="phase"/> and records how long it took under <paramref name="name"/>.</summary>
    public T Time<T>(string name, Func<T> phase)
    {
        long start = Stopwatch.GetTimestamp();
        T result = phase();
        phases.Add((name, Stopwatch.GetElapsedTime(start)));
        return result;
    }

    public Table ToTable()
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"Where the time went ({total.Elapsed.TotalSeconds:F1} s in all)")
            .AddColumn("phase").AddColumn(new TableColumn("seconds").RightAligned());
        foreach (var (name, time) in phases) table.AddRow(Markup.Escape(name), $"{time.TotalSeconds:F1}");
        return table;
    }
}
