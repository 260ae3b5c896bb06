using System.Text.Json;

namespace QuantGen.Bench;

/// <summary>
/// <c>--ort-nodes [batch] [224|28]</c>: ONNX Runtime's own per-node profile of an int8 fixture (<c>mnv2_224_int8_qdq.onnx</c>
/// at 224×224, <c>mnv2_int8_qdq.onnx</c> at 28×28; one thread, the benchmarks' images), to set beside
/// <see cref="StepProfile"/>'s <c>--steps [batch] [224|28]</c>: the median time of each node over 40 runs after 10 unrecorded ones, then the same summed by
/// the layer classes of <see cref="LayerProfile"/> (the stem and the last 1×1 apart). ORT fuses each QuantizeLinear/DequantizeLinear pair into its
/// QLinear node, so a node is one layer (or the input quantize, the add, the pool).
/// </summary>
internal static class OrtNodeProfile
{
    private const int Warmup = 10, Runs = 40;

    public static void Run(int batch, int size)
    {
        (float[] images, int logits) = Int8Models.Images(size, batch);
        (string model, long[] shape) = Int8Models.OrtInt8(size, batch);
        string prefix = Path.Combine(Path.GetTempPath(), $"quantgen-ort-{Environment.ProcessId}");
        string file;
        using (var peer = new OnnxPeer(model, images, shape, new float[batch * logits], [batch, logits], prefix))
        {
            for (int i = 0; i < Warmup + Runs; i++) peer.Run();
            file = peer.EndProfiling();
        }
        var nodes = Read(file);
        File.Delete(file);

        Console.WriteLine($"ONNX Runtime int8, {size}×{size}, batch {batch}, one thread: median of {Runs} runs per node.");
        Console.WriteLine();
        Console.WriteLine("| node | op | median µs |");
        Console.WriteLine("|---|---|---:|");
        var classes = new Dictionary<string, double>();
        foreach (var (name, op, times) in nodes)
        {
            double median = Median(times.Skip(Warmup));
            Console.WriteLine($"| {name} | {op} | {median:F1} |");
            string layerClass = Class(name, op);
            classes[layerClass] = classes.GetValueOrDefault(layerClass) + median;
        }
        Console.WriteLine($"| all nodes | | {classes.Values.Sum():F1} |");
        Console.WriteLine();
        Console.WriteLine("| class | median µs summed |");
        Console.WriteLine("|---|---:|");
        foreach (var (name, sum) in classes.OrderByDescending(c => c.Value)) Console.WriteLine($"| {name} | {sum:F1} |");
    }

    /// <summary>Each node's op and kernel times in run order, nodes in the order they first ran.</summary>
    private static List<(string Name, string Op, List<double> Times)> Read(string file)
    {
        var nodes = new List<(string Name, string Op, List<double> Times)>();
        var index = new Dictionary<string, int>();
        using var json = JsonDocument.Parse(File.ReadAllBytes(file));
        foreach (JsonElement e in json.RootElement.EnumerateArray())
        {
            if (e.GetProperty("cat").GetString() != "Node") continue;
            string name = e.GetProperty("name").GetString()!;
            if (!name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            name = name[..^"_kernel_time".Length];
            string op = e.GetProperty("args").TryGetProperty("op_name", out JsonElement o) ? o.GetString()! : "?";
            if (!index.TryGetValue(name, out int i))
            {
                index[name] = i = nodes.Count;
                nodes.Add((name, op, []));
            }
            nodes[i].Times.Add(e.GetProperty("dur").GetDouble());
        }
        return nodes;
    }

    /// <summary>The layer class of a node of torchvision's MobileNetV2, from its exported name (<c>/features/2/conv/1/0/Conv…</c>).</summary>
    private static string Class(string name, string op)
    {
        if (!op.Contains("Conv", StringComparison.Ordinal)) return op;
        if (name.StartsWith("/features/0/", StringComparison.Ordinal)) return "stem";
        if (name.StartsWith("/features/18/", StringComparison.Ordinal)) return "pw 320 → 1280";
        if (name.StartsWith("/features/1/conv/0/", StringComparison.Ordinal) || name.Contains("/conv/1/0/", StringComparison.Ordinal)) return "depthwise 3×3";
        if (name.StartsWith("/features/1/conv/1/", StringComparison.Ordinal) || name.Contains("/conv/2/", StringComparison.Ordinal)) return "pw projection";
        return "pw expansion";
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }
}
