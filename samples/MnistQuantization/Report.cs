using System.Text.Json;
using Spectre.Console;

namespace MnistQuantization;

/// <summary>The results table on the terminal, and the same rows as JSON.</summary>
internal static class Report
{
    public static Table ToTable(IReadOnlyList<ResultRow> rows, int images)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"MobileNetV2 on MNIST ({images:N0} test images, one thread)")
            .AddColumn("model")
            .AddColumn(new TableColumn("size MB").RightAligned())
            .AddColumn(new TableColumn("top-1 %").RightAligned())
            .AddColumn(new TableColumn("top-5 %").RightAligned())
            .AddColumn(new TableColumn("latency b1 ms").RightAligned())
            .AddColumn(new TableColumn("latency b64 ms").RightAligned());
        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(row.Name), $"{row.SizeMb:F2}", $"{row.Top1:F2}", $"{row.Top5:F2}",
                $"{row.LatencyBatch1Ms:F3}", $"{row.LatencyBatch64Ms:F2}");
        }
        return table;
    }

    public static void WriteJson(string path, IReadOnlyList<ResultRow> rows)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllText(path, JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
    }
}
