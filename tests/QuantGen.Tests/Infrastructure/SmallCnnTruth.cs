using System.Text.Json;
using QuantGen.IO;
using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Infrastructure;

/// <summary>
/// What PyTorch 1.13 recorded for the small CNN (small_cnn_truth.json), and the data it calibrated on: by config
/// name, or as one config's view (<see cref="Load"/>) in the int8 kernels' own types.
/// </summary>
internal static class SmallCnnTruth
{
    public const string MinMaxPerTensor = "minmax_per_tensor";
    public const string HistogramPerChannel = "histogram_per_channel";

    private static readonly Lazy<JsonDocument> Document = new(() => JsonDocument.Parse(File.ReadAllBytes(Fixtures.SmallCnnTruth)));

    private static readonly Lazy<Tensor[]> Batches = new(LoadCalibrationBatches);

    /// <summary>The fixture's calibration data: the first 1024 MNIST training images, normalised, in 16 batches of 64.</summary>
    public static IReadOnlyList<Tensor> CalibrationBatches => Batches.Value;

    /// <summary>An observer entry (<c>min</c>, <c>max</c>, <c>scale</c>, <c>zero_point</c>) of a config, e.g. the input's <c>quant</c>.</summary>
    public static ObservedRange Observer(string config, string name)
    {
        var e = Config(config).GetProperty("observers").GetProperty(name);
        return new(e.GetProperty("min").GetSingle(), e.GetProperty("max").GetSingle(),
                   e.GetProperty("scale").GetSingle(), e.GetProperty("zero_point").GetInt32());
    }

    /// <summary>A layer's quantized weights: scales (one, or one per channel), zero points and the int8 values, flattened.</summary>
    public static QuantizedWeights Weights(string config, string layer)
    {
        var e = Config(config).GetProperty("quantized_layers").GetProperty(layer);
        bool perChannel = e.TryGetProperty("w_scales", out var scales);
        return new(
            perChannel ? [.. scales.EnumerateArray().Select(v => v.GetSingle())] : [e.GetProperty("w_scale").GetSingle()],
            perChannel
                ? [.. e.GetProperty("w_zero_points").EnumerateArray().Select(v => v.GetInt32())]
                : [e.GetProperty("w_zero_point").GetInt32()],
            [.. e.GetProperty("w_int8").EnumerateArray().Select(v => v.GetInt32())]);
    }

    /// <summary>A raw float weight of the trained model, e.g. <c>fc2.weight</c>.</summary>
    public static Tensor Weight(string key) => SafeTensors.Load(Fixtures.SmallCnnWeights)[key].ToTensor();

    /// <summary>One config's records as the reference kernels take them.</summary>
    public static ConfigView Load(string config) => new(Config(config));

    private static JsonElement Config(string config) => Document.Value.RootElement.GetProperty("configs").GetProperty(config);

    internal sealed class ConfigView(JsonElement config)
    {
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

    private static Tensor[] LoadCalibrationBatches()
    {
        var train = MnistSet.LoadTrain();
        return [.. Enumerable.Range(0, 16).Select(i => train.ToTensor(64 * i, 64))];
    }
}

internal sealed record ObservedRange(float Min, float Max, float Scale, int ZeroPoint);

internal sealed record QuantizedWeights(float[] Scales, int[] ZeroPoints, int[] Values);
