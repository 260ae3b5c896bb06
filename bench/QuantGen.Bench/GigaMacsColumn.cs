using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace QuantGen.Bench;

/// <summary>Multiply-accumulates of one operation over its median time, in G MAC/s.</summary>
internal sealed class GigaMacsColumn(Func<BenchmarkCase, double> macsPerOperation) : IColumn
{
    public string Id => "GMACs";
    public string ColumnName => "G MAC/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Multiply-accumulates per second (10⁹), from the median";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (summary[benchmarkCase]?.ResultStatistics is not { } stats) return "-";
        return (macsPerOperation(benchmarkCase) / stats.Median).ToString("F1");   // MACs per ns = G MAC/s
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
