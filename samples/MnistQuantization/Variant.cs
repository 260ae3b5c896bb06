using QuantGen;

namespace MnistQuantization;

/// <summary>One row of the experiment: a model in some numeric form, how big its file is, and how to run it.</summary>
internal sealed record Variant(string Name, long SizeBytes, Func<Tensor, Tensor> Predict);

/// <summary>One measured row, with the JSON keys of PyTorch's anchor (mnv2_truth.json's pytorch_rows).</summary>
internal sealed record ResultRow(
    [property: System.Text.Json.Serialization.JsonPropertyName("name")] string Name,
    [property: System.Text.Json.Serialization.JsonPropertyName("size_mb")] double SizeMb,
    [property: System.Text.Json.Serialization.JsonPropertyName("top1")] double Top1,
    [property: System.Text.Json.Serialization.JsonPropertyName("top5")] double Top5,
    [property: System.Text.Json.Serialization.JsonPropertyName("lat_b1_ms")] double LatencyBatch1Ms,
    [property: System.Text.Json.Serialization.JsonPropertyName("lat_b64_ms")] double LatencyBatch64Ms);
