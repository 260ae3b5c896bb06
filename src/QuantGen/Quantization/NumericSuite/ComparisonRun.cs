using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// One numeric-suite comparison in progress: for each batch, a float pass that records every compared layer's inputs and
/// output, then the int8 pass, whose hooks compare each layer's output with the float one and run the layer's int8 form
/// once more on the float input.
/// </summary>
internal sealed class ComparisonRun(Module model, IReadOnlyList<Layer> layers)
{
    private readonly Dictionary<Layer, LayerErrors> errors = new(ReferenceEqualityComparer.Instance);
    private readonly List<Layer> order = [];
    private readonly Dictionary<Layer, List<FloatCall>> floatCalls = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Layer, int> int8Calls = new(ReferenceEqualityComparer.Instance);

    /// <summary>One float call of a layer, copied: a later in-place op (ReLU(inplace)) must not change what was seen.</summary>
    private sealed record FloatCall(Tensor[] Inputs, Tensor Output);

    private sealed class LayerErrors(bool measuresByItself)
    {
        public ErrorAccumulator Output { get; } = new();
        public ErrorAccumulator? ByItself { get; } = measuresByItself ? new() : null;
    }

    public void Add(Tensor batch)
    {
        floatCalls.Clear();
        int8Calls.Clear();
        RunFloat(batch);
        RunInt8(batch);
    }

    public IEnumerable<LayerComparison> Results() =>
        order.Select(layer => new LayerComparison(layer.Path, layer.GetType().Name, errors[layer].Output.Summary(), errors[layer].ByItself?.Summary(), null));

    private void RunFloat(Tensor batch)
    {
        var swapped = model.Modules().OfType<Layer>().Where(l => NumericSuite.IsConverted(l.Substitute)).Select(l => (Layer: l, l.Substitute)).ToList();
        try
        {
            foreach (var (layer, _) in swapped) layer.Substitute = null;
            Hook((layer, inputs, output) =>
            {
                if (!floatCalls.TryGetValue(layer, out var calls)) floatCalls[layer] = calls = [];
                calls.Add(new FloatCall([.. inputs.Select(t => t.Clone())], output.Clone()));
            });
            model.Forward(batch);
        }
        finally
        {
            Hook(null);
            foreach (var (layer, substitute) in swapped) layer.Substitute = substitute;
        }
    }

    private void RunInt8(Tensor batch)
    {
        try
        {
            Hook(CompareCall);
            model.Forward(batch);
        }
        finally
        {
            Hook(null);
        }
    }

    private void Hook(LayerHook? hook)
    {
        foreach (var layer in layers) layer.Hook = hook;
    }

    private void CompareCall(Layer layer, Tensor[] inputs, Tensor output)
    {
        int call = int8Calls.GetValueOrDefault(layer);
        int8Calls[layer] = call + 1;
        if (!floatCalls.TryGetValue(layer, out var calls) || call >= calls.Count)
        {
            throw new QuantizationException($"'{layer.Path}' ran {call + 1} times in the int8 model but {calls?.Count ?? 0} in the float model: the numeric suite pairs their calls in order.");
        }
        var reference = calls[call];
        if (!errors.TryGetValue(layer, out var layerErrors))
        {
            errors[layer] = layerErrors = new LayerErrors(measuresByItself: layer is not FloatFunctional);
            order.Add(layer);
        }
        layerErrors.Output.Add(reference.Output.Data, AsFloat(layer, output, reference.Output).Data);
        if (layerErrors.ByItself is { } byItself)
        {
            byItself.Add(reference.Output.Data, AsFloat(layer, RunAlone(layer, inputs, reference.Inputs), reference.Output).Data);
        }
    }

    /// <summary>The layer's int8 form on the float inputs, each quantized as the int8 model's input there was (float inputs stay float).</summary>
    private static Tensor RunAlone(Layer layer, Tensor[] int8Inputs, Tensor[] floatInputs)
    {
        var inputs = new Tensor[int8Inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = int8Inputs[i].IsQuantized ? new QuantizeStep(int8Inputs[i].QParams()).Forward(floatInputs[i]) : floatInputs[i];
        }
        var substitute = layer.Substitute!;
        return inputs.Length switch
        {
            1 => substitute.Forward(inputs[0]),
            2 when substitute is IBinaryModule binary => binary.Forward(inputs[0], inputs[1]),
            _ => throw new QuantizationException($"'{layer.Path}' ({layer.GetType().Name}) took {inputs.Length} inputs; the numeric suite runs layers of one or two alone."),
        };
    }

    private static Tensor AsFloat(Layer layer, Tensor output, Tensor reference)
    {
        var values = output.IsQuantized ? new DequantizeStep().Forward(output) : output;
        if (values.Shape != reference.Shape)
        {
            throw new QuantizationException($"'{layer.Path}' gave {values.Shape} in int8 but {reference.Shape} in float: the numeric suite compares outputs of one shape.");
        }
        return values;
    }
}
