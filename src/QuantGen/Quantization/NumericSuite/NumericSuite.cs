using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// PyTorch's eager Numeric Suite (<c>torch.ao.ns._numeric_suite</c>) for a converted model: which int8 layer loses
/// accuracy, layer by layer. <see cref="Compare(Module, Tensor)"/> runs a batch through the model's float form and its
/// int8 form and compares each int8 layer's output (<c>compare_model_outputs</c>), the error each adds by itself
/// (<c>compare_model_stub</c>'s question, asked the other way round: the int8 layer on the float input), and its weights
/// (<c>compare_weights</c>).
/// </summary>
/// <remarks>
/// The float form is the same model with each int8 layer's float computation in its place: fusions stay (BatchNorm
/// folded, ReLU in the convolution), as when a PyTorch user passes the fused float model. Nothing needs a second copy.
/// <para><b>Thread safety.</b> A comparison hooks the model's layers and swaps their int8 forms out and back while it
/// runs: nothing else may use the model meanwhile (as with any <see cref="Module"/>). The model is as it was afterwards,
/// even when a forward throws.</para>
/// </remarks>
public static class NumericSuite
{
    /// <summary>Samples run at once: the float pass keeps every compared layer's inputs and output of one slice.</summary>
    private const int SliceSamples = 16;

    /// <summary>Compares the converted <paramref name="model"/> on <paramref name="batch"/> ([N, …]), 16 samples at a time.</summary>
    /// <exception cref="QuantizationException">The model has no int8 layers (not converted), or the batch is empty.</exception>
    public static NumericSuiteReport Compare(Module model, Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Compare(model, Slices(batch));
    }

    /// <summary>Compares the converted <paramref name="model"/> over <paramref name="batches"/>; the errors cover every sample.</summary>
    /// <exception cref="QuantizationException">The model has no int8 layers (not converted), or there are no samples.</exception>
    public static NumericSuiteReport Compare(Module model, IEnumerable<Tensor> batches)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        var layers = Int8Layers(model);
        var run = new ComparisonRun(model, layers);
        long samples = 0;
        int index = 0;
        foreach (var batch in batches)
        {
            if (batch is null || batch.Length == 0) throw new QuantizationException($"Batch {index} is null or empty: pass [N, …] tensors with N ≥ 1 to NumericSuite.Compare.");
            run.Add(batch);
            samples += batch.Size(0);
            index++;
        }
        if (samples == 0) throw new QuantizationException("NumericSuite.Compare needs at least one sample: pass a calibration batch.");

        var weights = CompareWeights(model).ToDictionary(w => w.Path, w => w.Error);
        return new NumericSuiteReport(model.GetType().Name,
            [.. run.Results().Select(r => r with { Weight = weights.TryGetValue(r.Path, out var w) ? w : null })], samples);
    }

    /// <summary>
    /// Every int8 weight against its float weight, as PyTorch's <c>compare_weights</c> matches <c>conv.weight</c> with the
    /// quantized module's weight: per layer path, the dequantized int8 weight's error. Per-channel qparams dequantize per channel.
    /// </summary>
    /// <exception cref="QuantizationException">The model has no int8 layers (not converted).</exception>
    public static IReadOnlyList<(string Path, ErrorSummary Error)> CompareWeights(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new List<(string, ErrorSummary)>();
        foreach (var layer in Int8Layers(model))
        {
            if (layer.Substitute is not QuantizedWeightLayer q) continue;
            Tensor weight = q.FloatWeight;
            var dequantized = new float[weight.Length];
            Dequantize.Weights(q.Weight, weight.Size(0), q.WeightQParams, dequantized);
            var error = new ErrorAccumulator();
            error.Add(weight.Data, dequantized);
            result.Add((layer.Path, error.Summary()));
        }
        return result;
    }

    /// <summary>
    /// The layers convert gave an int8 form (quantize, int8 kernel, float island, dynamic Linear) — not the dequantize at the
    /// end, whose output is its input's, nor layers fusion folded away.
    /// </summary>
    internal static List<Layer> Int8Layers(Module model)
    {
        var layers = model.Modules().OfType<Layer>().Where(l => IsInt8Form(l.Substitute)).ToList();
        if (layers.Count == 0)
        {
            throw new QuantizationException(
                $"{model.GetType().Name} has no int8 layers to compare: quantize it first (Prepare, Calibrate, Convert, or QuantizeDynamic).");
        }
        return layers;
    }

    private static bool IsInt8Form(Module? substitute) =>
        substitute is not (null or Identity or DequantizeStep or UncalibratedLayer or QatConv2d or QatLinear);

    /// <summary>What the float pass swaps out: every converted form, the final dequantize included.</summary>
    internal static bool IsConverted(Module? substitute) => substitute is not (null or Identity or QatConv2d or QatLinear);

    private static IEnumerable<Tensor> Slices(Tensor batch)
    {
        if (batch.Rank == 0 || batch.Length == 0) throw new QuantizationException($"NumericSuite.Compare needs a batch [N, …] with N ≥ 1, got {batch.Shape}.");
        int n = batch.Size(0), per = batch.Length / n;
        for (int start = 0; start < n; start += SliceSamples)
        {
            int count = Math.Min(SliceSamples, n - start);
            var dims = batch.Shape.ToArray();
            dims[0] = count;
            yield return new Tensor(new Shape(dims), batch.Data.AsSpan(start * per, count * per).ToArray());
        }
    }
}
