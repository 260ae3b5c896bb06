using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// What <see cref="EagerQuantization.AutoMixedPrecision"/> chose: the layers kept in float, the top-1 of float, all-int8
/// and mixed, the mixed model itself with its size and latency, and every trial on the way. Immutable apart from
/// <see cref="Model"/>, which is a <see cref="Module"/> (one thread at a time).
/// </summary>
public sealed class MixedPrecisionResult
{
    internal MixedPrecisionResult(
        IReadOnlyList<string> keptFloat, int int8Layers, double floatTop1, double int8Top1, double mixedTop1, double maxTop1Drop,
        Module model, long weightBytes, long int8WeightBytes, double latencyMs, IReadOnlyList<MixedPrecisionTrial> trials)
    {
        KeptFloat = keptFloat;
        Int8Layers = int8Layers;
        FloatTop1 = floatTop1;
        Int8Top1 = int8Top1;
        MixedTop1 = mixedTop1;
        MaxTop1Drop = maxTop1Drop;
        Model = model;
        WeightBytes = weightBytes;
        Int8WeightBytes = int8WeightBytes;
        MedianLatencyMs = latencyMs;
        Trials = trials;
    }

    /// <summary>The layer paths kept in float, most sensitive first.</summary>
    public IReadOnlyList<string> KeptFloat { get; }

    /// <summary>How many int8 layers the all-int8 model has (the numeric suite's count): what <see cref="KeptFloat"/> is a share of.</summary>
    public int Int8Layers { get; }

    /// <summary>Top-1 in percent on the held-out inputs: float, every layer int8, and the mixed model.</summary>
    public double FloatTop1 { get; }

    /// <inheritdoc cref="FloatTop1"/>
    public double Int8Top1 { get; }

    /// <inheritdoc cref="FloatTop1"/>
    public double MixedTop1 { get; }

    /// <summary>The drop from float that was asked for, in top-1 points.</summary>
    public double MaxTop1Drop { get; }

    /// <summary>Whether the mixed model is within <see cref="MaxTop1Drop"/> of float. False when even keeping every candidate tried did not get there.</summary>
    public bool MeetsTarget => IsWithin(FloatTop1, MixedTop1, MaxTop1Drop);

    /// <summary>
    /// Whether <paramref name="top1"/> is at most <paramref name="maxDrop"/> below <paramref name="floatTop1"/>. Top-1 figures
    /// are percentages of counts, and their difference carries float rounding (98.15 − 98.05 is 0.10000000000000853), so a
    /// drop equal to the target up to 1e-9 meets it.
    /// </summary>
    internal static bool IsWithin(double floatTop1, double top1, double maxDrop) => floatTop1 - top1 <= maxDrop + 1e-9;

    /// <summary>The converted mixed model (<see cref="KeptFloat"/> run in float).</summary>
    public Module Model { get; }

    /// <summary>Bytes of its weights: one per int8 weight (with its float32 bias), four per value of every float layer's parameters.</summary>
    public long WeightBytes { get; }

    /// <summary>The same count for the all-int8 model: what keeping layers in float costs is the difference.</summary>
    public long Int8WeightBytes { get; }

    /// <summary>Median milliseconds of one forward pass of one held-out input on the calling thread (a rough figure; BenchmarkDotNet's are the careful ones).</summary>
    public double MedianLatencyMs { get; }

    /// <summary>Each model tried, in order.</summary>
    public IReadOnlyList<MixedPrecisionTrial> Trials { get; }

    /// <summary>The attribute to paste on the model class so the generated int8 pass keeps the same layers: <c>[KeepFloat("a", "b")]</c>.</summary>
    public string KeepFloatAttribute => $"[KeepFloat({string.Join(", ", KeptFloat.Select(p => $"\"{p}\""))})]";
}

/// <summary>One model <see cref="EagerQuantization.AutoMixedPrecision"/> tried: the layers it kept in float and its held-out top-1. Immutable.</summary>
public sealed record MixedPrecisionTrial(IReadOnlyList<string> KeptFloat, double Top1);
