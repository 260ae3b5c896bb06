using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace InferenceService;

/// <summary>What GET /model answers: where the model came from, its input and output, and every int8 layer's qparams.</summary>
public sealed record ModelSummary(
    string Architecture, string Source, int[] InputShape, int Classes, long Int8WeightBytes, long FloatBiasBytes, LayerSummary[] Layers)
{
    /// <summary>Reads the converted model: each layer that runs in int8, in module order.</summary>
    public static ModelSummary Of(Module converted, string source, int[] inputShape, int classes)
    {
        var layers = new List<LayerSummary>();
        long weightBytes = 0, biasBytes = 0;
        foreach (var (path, module) in converted.NamedModules())
        {
            if (module is not Layer { Substitute: { } substitute }) continue;
            switch (substitute)
            {
                case QuantizedWeightLayer weighted:
                    weightBytes += weighted.Weight.Length;
                    biasBytes += (weighted.Bias?.Length ?? 0) * sizeof(float);
                    layers.Add(new LayerSummary(path, substitute.GetType().Name, weighted.Weight.Length, WeightScales.Of(weighted.WeightQParams), OutputOf(substitute)));
                    break;
                case QuantizeStep or QuantizedAdd:
                    layers.Add(new LayerSummary(path, substitute.GetType().Name, 0, null, OutputOf(substitute)));
                    break;
            }
        }
        return new ModelSummary(converted.GetType().FullName!, source, inputShape, classes, weightBytes, biasBytes, [.. layers]);
    }

    private static OutputQParams? OutputOf(Module substitute) => substitute switch
    {
        QuantizedConv2d conv => new(conv.Output.Scale, conv.Output.ZeroPoint),
        QuantizedLinear linear => new(linear.Output.Scale, linear.Output.ZeroPoint),
        QuantizeStep quantize => new(quantize.Output.Scale, quantize.Output.ZeroPoint),
        QuantizedAdd add => new(add.Output.Scale, add.Output.ZeroPoint),
        _ => null,
    };
}

/// <summary>One int8 layer: its path, what runs there, its int8 weight size, and its qparams.</summary>
public sealed record LayerSummary(string Path, string Kind, int WeightBytes, WeightScales? WeightScales, OutputQParams? Output);

/// <summary>The output's quint8 qparams.</summary>
public sealed record OutputQParams(float Scale, int ZeroPoint);

/// <summary>A weight's scales: one (per tensor) or the range over its output channels.</summary>
public sealed record WeightScales(bool PerChannel, int Count, float Min, float Max)
{
    public static WeightScales Of(WeightQParams q)
    {
        float min = float.MaxValue, max = float.MinValue;
        for (int c = 0; c < q.Count; c++) (min, max) = (Math.Min(min, q.Scale(c)), Math.Max(max, q.Scale(c)));
        return new WeightScales(q.IsPerChannel, q.Count, min, max);
    }
}
