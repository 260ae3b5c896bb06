using QuantGen;

namespace MnistQuantization;

/// <summary>One row of the experiment: a model in some numeric form, how big its file is, and how to run it.</summary>
/// <param name="ThreadSafe">
/// Whether <paramref name="Predict"/> may be called from several threads at once: true for a generated pass, false for
/// an eager module, which its contract lets only one thread use at a time.
/// </param>
internal sealed record Variant(string Name, long SizeBytes, Func<Tensor, Tensor> Predict, bool ThreadSafe)
{
    /// <summary>An eager module's row: evaluated on one thread.</summary>
    public static Variant Eager(string name, long sizeBytes, Func<Tensor, Tensor> forward) => new(name, sizeBytes, forward, ThreadSafe: false);

    /// <summary>A generated pass's row: evaluated on every core.</summary>
    public static Variant GeneratedPass(string name, long sizeBytes, Func<Tensor, Tensor> predict) => new(name, sizeBytes, predict, ThreadSafe: true);
}

/// <summary>One measured row, with the JSON keys of PyTorch's anchor (mnv2_truth.json's pytorch_rows).</summary>
internal sealed record ResultRow(
    [property: System.Text.Json.Serialization.JsonPropertyName("name")] string Name,
    [property: System.Text.Json.Serialization.JsonPropertyName("size_mb")] double SizeMb,
    [property: System.Text.Json.Serialization.JsonPropertyName("top1")] double Top1,
    [property: System.Text.Json.Serialization.JsonPropertyName("top5")] double Top5,
    [property: System.Text.Json.Serialization.JsonPropertyName("lat_b1_ms")] double LatencyBatch1Ms,
    [property: System.Text.Json.Serialization.JsonPropertyName("lat_b64_ms")] double LatencyBatch64Ms);
