using System.Text.Json;
using QuantGen.IO;

namespace QuantGen.Tests.Infrastructure;

/// <summary>Paths and parsed contents of the PyTorch fixtures in ../shared/fixtures.</summary>
internal static class Fixtures
{
    public static string SmallCnnWeights => SharedData.Fixture("pytorch", "small_cnn.safetensors");
    public static string SmallCnnTruth => SharedData.Fixture("pytorch", "small_cnn_truth.json");
    public static string ProbeInput => SharedData.Fixture("pytorch", "probe_input.f32");
    public static string MobileNetV2Weights => SharedData.Fixture("mobilenetv2", "mnv2_float.safetensors");
    public static string MobileNetV2Truth => SharedData.Fixture("mobilenetv2", "mnv2_truth.json");

    /// <summary>The 16 probe images, 16 × 1 × 28 × 28, normalised as PyTorch normalised them.</summary>
    public static Tensor LoadProbeImages()
    {
        byte[] bytes = File.ReadAllBytes(ProbeInput);
        var values = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return Tensor.FromArray(values, 16, 1, 28, 28);
    }

    /// <summary>A two-level JSON object of numbers, e.g. <c>o["section"]["scale"]</c>; a top-level number is under key "".</summary>
    public static Dictionary<string, Dictionary<string, float>> ReadObject(string jsonPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        var result = new Dictionary<string, Dictionary<string, float>>();
        foreach (var section in doc.RootElement.EnumerateObject())
        {
            result[section.Name] = section.Value.ValueKind switch
            {
                JsonValueKind.Object => section.Value.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number).ToDictionary(p => p.Name, p => p.Value.GetSingle()),
                JsonValueKind.Number => new() { [""] = section.Value.GetSingle() },
                _ => [],
            };
        }
        return result;
    }

    /// <summary>A [rows][cols] array of numbers from a JSON file, by property path.</summary>
    public static float[][] ReadMatrix(string jsonPath, params string[] propertyPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        JsonElement e = doc.RootElement;
        foreach (string p in propertyPath) e = e.GetProperty(p);
        return e.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
    }
}
