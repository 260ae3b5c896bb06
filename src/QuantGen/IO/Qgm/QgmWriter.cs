using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.IO.Qgm;

/// <summary>
/// Turns a converted model into the .qgm state dict, module by module in the model's order: a converted layer's
/// int8 weight, weight qparams, float bias and output qparams; the float state of every module that still runs in
/// float; nothing for a fused-away layer. The metadata says what each substitute and fusion was.
/// </summary>
internal static class QgmWriter
{
    /// <exception cref="QuantizationException">The model is not converted, or has a substitute .qgm cannot store.</exception>
    public static StateDict Write(Module model)
    {
        var modules = FloatTree.Modules(model);
        var kinds = SubstituteKindsOf(model, modules);
        var mode = ConvertedMode(model, modules, kinds.Values);
        var stateByOwner = FloatTree.StateByOwner(model);

        var dict = new StateDict();
        var substitutes = new List<(string, string)>();
        var fusions = new List<(string, string)>();
        foreach (var (path, module) in modules)
        {
            if (FusionRecord.Of(module) is { } fusion) fusions.Add((path, fusion.ToString()));
            bool substituted = kinds.TryGetValue(path, out var kind);
            if (substituted) substitutes.Add((path, kind.ToString()));
            if (!substituted || !kind.ReplacesFloatState())
            {
                foreach (var (key, value) in stateByOwner.GetValueOrDefault(path) ?? []) dict.Add(key, value);
            }
            if (substituted) AddSubstitute(dict, path, ((Layer)module).Substitute!);
        }

        dict.Metadata[QgmFormat.FormatKey] = QgmFormat.Marker;
        dict.Metadata[QgmFormat.VersionKey] = QgmFormat.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        dict.Metadata[QgmFormat.ArchitectureKey] = model.GetType().FullName!;
        dict.Metadata[QgmFormat.StructureKey] = StructureSignature.Of(model);
        dict.Metadata[QgmFormat.ModeKey] = QgmModes.Name(mode);
        dict.Metadata[QgmFormat.SubstitutesKey] = MetadataMap.Write(substitutes);
        dict.Metadata[QgmFormat.FusionsKey] = MetadataMap.Write(fusions);
        dict.Metadata[QgmFormat.ChecksumKey] = QgmChecksum.Of(dict);
        return dict;
    }

    private static Dictionary<string, SubstituteKind> SubstituteKindsOf(Module model, List<(string Path, Module Module)> modules)
    {
        var kinds = new Dictionary<string, SubstituteKind>(StringComparer.Ordinal);
        foreach (var (path, module) in modules)
        {
            if (module is not Layer { Substitute: { } substitute }) continue;
            kinds[path] = SubstituteKinds.Of(substitute) ?? throw new QuantizationException(
                $"'{path}' of {model.GetType().Name} runs a {substitute.GetType().Name} in its place, which a .qgm file cannot store; " +
                $"it stores the substitutes of QuantGen's own workflow ({SubstituteKinds.Names}).");
        }
        return kinds;
    }

    /// <summary>The model's mode; refuses a model that was only fused or prepared, saying which step is missing.</summary>
    private static QgmMode ConvertedMode(Module model, List<(string Path, Module Module)> modules, IEnumerable<SubstituteKind> kinds)
    {
        string name = model.GetType().Name;
        var observed = modules.Where(m => m.Module is Layer { OutputObserver: not null }).Select(m => $"'{m.Path}'").ToList();
        if (observed.Count > 0)
        {
            throw new QuantizationException(
                $"{name} is prepared but not converted: {string.Join(", ", observed.Take(3))}{(observed.Count > 3 ? ", …" : "")} still carry observers. " +
                "Calibrate it, call Convert(model), then save the converted model.");
        }
        return QgmModes.Of(kinds) ?? throw new QuantizationException(
            $"{name} is not quantized: it has no int8 layers{(kinds.Any() ? " (it is fused, but not converted)" : "")}, and a .qgm file holds a converted model. " +
            "Quantize it first — FuseModules, Prepare, Calibrate, Convert (or QuantizeDynamic) — then save it. " +
            "To save float weights instead, use SafeTensors.Save(path, model.StateDict()).");
    }

    private static void AddSubstitute(StateDict dict, string path, Module substitute)
    {
        switch (substitute)
        {
            case QuantizedConv2d conv:
                AddWeight(dict, path, conv.Weight, conv.Source.Weight.Shape, conv.WeightQParams, conv.Bias);
                AddOutput(dict, path, conv.Output);
                break;
            case QuantizedLinear linear:
                AddWeight(dict, path, linear.Weight, linear.Source.Weight.Shape, linear.WeightQParams, linear.Bias);
                AddOutput(dict, path, linear.Output);
                break;
            case QuantizedConvTranspose2d transposed:
                AddWeight(dict, path, transposed.Weight, transposed.Source.Weight.Shape, transposed.WeightQParams, transposed.Bias);
                AddOutput(dict, path, transposed.Output);
                break;
            case QuantizedBatchNorm2d batchNorm: AddOutput(dict, path, batchNorm.Output); break;
            case DynamicQuantizedLinear dynamic:
                AddWeight(dict, path, dynamic.Weight, dynamic.Source.Weight.Shape, dynamic.WeightQParams, dynamic.Bias);
                break;
            case QuantizeStep quantize: AddOutput(dict, path, quantize.Output); break;
            case QuantizedAdd add: AddOutput(dict, path, add.Output); break;
            case QFunctional { Output: { } output }: AddOutput(dict, path, output); break;
            case QuantizedPointwise activation: AddOutput(dict, path, activation.Output); break;
            case FloatIsland island: AddOutput(dict, path, island.Output); break;
            case KeptFloatLayer kept: AddOutput(dict, path, kept.Output); break;
        }
    }

    /// <summary>The int8 weight in the float weight's shape; per-tensor qparams as scalars, per-channel ones as vectors.</summary>
    private static void AddWeight(StateDict dict, string path, sbyte[] weight, Shape shape, WeightQParams qparams, float[]? bias)
    {
        var scales = new float[qparams.Count];
        var zeroPoints = new int[qparams.Count];
        for (int c = 0; c < qparams.Count; c++)
        {
            scales[c] = qparams.Scale(c);
            zeroPoints[c] = qparams.ZeroPoint(c);
        }
        var qparamsShape = qparams.IsPerChannel ? new Shape(qparams.Count) : new Shape();
        dict.Add(QgmFormat.Key(path, QgmFormat.Weight), TensorData.FromInt8(shape, weight));
        dict.Add(QgmFormat.Key(path, QgmFormat.WeightScale), TensorData.FromFloat32(qparamsShape, scales));
        dict.Add(QgmFormat.Key(path, QgmFormat.WeightZeroPoint), TensorData.FromInt32(qparamsShape, zeroPoints));
        if (bias is not null) dict.Add(QgmFormat.Key(path, QgmFormat.Bias), TensorData.FromFloat32(new Shape(bias.Length), bias));
    }

    private static void AddOutput(StateDict dict, string path, ActivationQParams output)
    {
        dict.Add(QgmFormat.Key(path, QgmFormat.Scale), TensorData.FromFloat32(new Shape(), [output.Scale]));
        dict.Add(QgmFormat.Key(path, QgmFormat.ZeroPoint), TensorData.FromInt32(new Shape(), [output.ZeroPoint]));
    }
}
