using QuantGen.Quantization;

namespace QuantGen.Tests.Quantization;

/// <summary>One of each observer, by name, for tests that every observer must pass.</summary>
internal static class ObserverKinds
{
    public static readonly IReadOnlyDictionary<string, Func<Observer>> All = new Dictionary<string, Func<Observer>>
    {
        ["MinMax"] = () => new MinMaxObserver(),
        ["MovingAverageMinMax"] = () => new MovingAverageMinMaxObserver(),
        ["PerChannelMinMax"] = () => new PerChannelMinMaxObserver(dtype: QDType.QInt8, qscheme: QScheme.PerChannelSymmetric),
        ["MovingAveragePerChannelMinMax"] = () => new MovingAveragePerChannelMinMaxObserver(),
        ["Histogram"] = () => new HistogramObserver(),
    };

    public static TheoryData<string> Names() => [.. All.Keys];

    public static Observer Create(string name) => All[name]();
}
