using System.Text.Json;
using QuantGen.Kernels.Reference;
using QuantGen.Tests.Infrastructure;

namespace QuantGen.Tests.Kernels.Reference;

/// <summary>One quantization config of <c>small_cnn_truth.json</c>: PyTorch 1.13's qparams, int8 weights and int8 logits.</summary>
internal sealed class SmallCnnTruth
{
    private readonly JsonElement config;

    private SmallCnnTruth(JsonElement config) => this.config = config;

    public static SmallCnnTruth Load(string configName)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Fixtures.SmallCnnTruth));
        return new SmallCnnTruth(doc.RootElement.GetProperty("configs").GetProperty(configName).Clone());
    }

    /// <summary>The qparams an observer chose: "quant" for the model input, else a fused layer's output.</summary>
    public ActivationQParams Observed(string name)
    {
        JsonElement e = config.GetProperty("observers").GetProperty(name);
        return new ActivationQParams(e.GetProperty("scale").GetSingle(), e.GetProperty("zero_point").GetInt32());
    }

    public sbyte[] WeightInt8(string layer) =>
        Layer(layer).GetProperty("w_int8").EnumerateArray().Select(v => checked((sbyte)v.GetInt32())).ToArray();

    /// <summary>Per tensor ("w_scale") or per channel ("w_scales"), as the config quantized that layer.</summary>
    public WeightQParams WeightQParamsOf(string layer)
    {
        JsonElement e = Layer(layer);
        if (e.TryGetProperty("w_scale", out JsonElement scale))
        {
            return WeightQParams.PerTensor(scale.GetSingle(), e.GetProperty("w_zero_point").GetInt32());
        }
        return WeightQParams.PerChannel(
            e.GetProperty("w_scales").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
            e.GetProperty("w_zero_points").EnumerateArray().Select(v => v.GetInt32()).ToArray());
    }

    public ActivationQParams Output(string layer)
    {
        JsonElement e = Layer(layer);
        return new ActivationQParams(e.GetProperty("out_scale").GetSingle(), e.GetProperty("out_zero_point").GetInt32());
    }

    /// <summary>PyTorch's quantized model output for the 16 probe images, dequantized: [16 × 10].</summary>
    public float[] Int8Logits() =>
        config.GetProperty("int8_logits").EnumerateArray().SelectMany(row => row.EnumerateArray().Select(v => v.GetSingle())).ToArray();

    private JsonElement Layer(string layer) => config.GetProperty("quantized_layers").GetProperty(layer);
}
