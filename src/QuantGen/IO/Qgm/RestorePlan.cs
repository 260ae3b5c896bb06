using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.IO.Qgm;

/// <summary>
/// Everything a load will do to a freshly built model, read and checked against the file before the model is
/// touched, so a file that does not fit leaves the model as it was: the fusions to restore, the float state of the
/// modules that still run in float, and the substitute of every converted layer.
/// </summary>
internal sealed class RestorePlan
{
    private readonly Module model;
    private readonly FileTensors tensors;
    private readonly string filePath;
    private readonly List<(Layer Layer, FusionRecord Fusion)> fusions = [];
    private readonly List<(Layer Layer, Func<Module> Create)> substitutes = [];

    // Loaded through LoadStateDict: the float modules' state, and the float bias of converted layers, which their
    // substitutes copy when they are made (as Convert's do from the folded bias).
    private readonly StateDict floatState = new();

    private RestorePlan(Module model, FileTensors tensors, string filePath)
    {
        this.model = model;
        this.tensors = tensors;
        this.filePath = filePath;
    }

    /// <exception cref="QgmFormatException">A tensor is missing, misshaped or out of range, or the file names a layer the model lacks.</exception>
    public static RestorePlan Create(Module model, QgmHeader header, StateDict file)
    {
        var plan = new RestorePlan(model, new FileTensors(file, header.FilePath), header.FilePath);
        var modules = FloatTree.Modules(model);
        var byPath = modules.ToDictionary(m => m.Path, m => m.Module, StringComparer.Ordinal);
        var kinds = plan.Resolve(header.Substitutes, byPath, QgmFormat.SubstitutesKey, (kind, layer) => kind.Fits(layer));
        var fused = plan.Resolve(header.Fusions, byPath, QgmFormat.FusionsKey, (fusion, layer) => fusion.Fits(layer));
        var stateByOwner = FloatTree.StateByOwner(model);

        foreach (var (path, module) in modules)
        {
            bool substituted = kinds.TryGetValue(path, out var kind);
            bool folded = false;
            if (fused.TryGetValue(path, out var fusion))
            {
                plan.fusions.Add(((Layer)module, fusion));
                folded = fusion.FoldedBatchNorm;
            }
            if (!substituted || !kind.ReplacesFloatState())
            {
                plan.TakeFloatState(path, module, stateByOwner.GetValueOrDefault(path) ?? [], folded);
            }
            if (substituted) plan.substitutes.Add(((Layer)module, plan.TakeSubstitute(path, (Layer)module, kind, folded)));
        }
        plan.tensors.RequireAllTaken();
        return plan;
    }

    /// <summary>Puts the model into the saved converted state; in eval mode, as every converted model runs.</summary>
    public void Apply()
    {
        foreach (var (layer, fusion) in fusions) fusion.ApplyTo(layer);
        model.LoadStateDict(floatState, strict: false);
        foreach (var (layer, create) in substitutes) layer.Substitute = create();
        model.Eval();
    }

    private void TakeFloatState(string path, Module module, List<(string Key, TensorData Value)> state, bool foldedBatchNorm)
    {
        foreach (var (key, value) in state)
        {
            floatState.Add(key, tensors.Take(key, value.DType, $"the float {key[(key.LastIndexOf('.') + 1)..]} of '{path}', which runs in float", value.Shape));
        }
        if (foldedBatchNorm && module is Conv2d { Bias: null } conv) TakeBias(path, conv.OutChannels);
        if (foldedBatchNorm && module is Linear { Bias: null } linear) TakeBias(path, linear.OutFeatures);
    }

    private Func<Module> TakeSubstitute(string path, Layer layer, SubstituteKind kind, bool foldedBatchNorm)
    {
        switch (kind)
        {
            case SubstituteKind.QuantizedConv2d:
            {
                var conv = (Conv2d)layer;
                var (weight, qparams) = TakeQuantizedWeight(path, conv.Weight.Shape, conv.OutChannels);
                if (conv.Bias is not null || foldedBatchNorm) TakeBias(path, conv.OutChannels);
                var output = QParamsTensors.TakeOutput(tensors, path);
                return () => new QuantizedConv2d(conv, weight, qparams, output);
            }
            case SubstituteKind.QuantizedLinear or SubstituteKind.DynamicQuantizedLinear:
            {
                var linear = (Linear)layer;
                var (weight, qparams) = TakeQuantizedWeight(path, linear.Weight.Shape, linear.OutFeatures);
                if (linear.Bias is not null || foldedBatchNorm) TakeBias(path, linear.OutFeatures);
                if (kind == SubstituteKind.DynamicQuantizedLinear) return () => new DynamicQuantizedLinear(linear, weight, qparams);
                var output = QParamsTensors.TakeOutput(tensors, path);
                return () => new QuantizedLinear(linear, weight, qparams, output);
            }
            case SubstituteKind.QuantizedConvTranspose2d:
            {
                var transposed = (ConvTranspose2d)layer;
                var (weight, qparams) = TakeQuantizedWeight(path, transposed.Weight.Shape, transposed.OutChannels);
                if (transposed.Bias is not null || foldedBatchNorm) TakeBias(path, transposed.OutChannels);
                var output = QParamsTensors.TakeOutput(tensors, path);
                return () => new QuantizedConvTranspose2d(transposed, weight, qparams, output);
            }
            case SubstituteKind.QuantizedBatchNorm2d:
            {
                var output = QParamsTensors.TakeOutput(tensors, path);
                return () => new QuantizedBatchNorm2d((BatchNorm2d)layer, output);
            }
            case SubstituteKind.QuantizeStep:
            {
                var output = QParamsTensors.TakeOutput(tensors, path);
                return () => new QuantizeStep(output);
            }
            case SubstituteKind.QuantizedAdd:
            {
                var output = QParamsTensors.TakeOutput(tensors, path);
                return () => new QuantizedAdd(output);
            }
            case SubstituteKind.QFunctional:
            {
                var output = QParamsTensors.TakeOptionalOutput(tensors, path);
                return () => new QFunctional(output);
            }
            case SubstituteKind.QuantizedPointwise:
            {
                var output = QParamsTensors.TakeOutput(tensors, path);
                return () => new QuantizedPointwise((PointwiseActivation)layer, output);
            }
            case SubstituteKind.FloatIsland:
            {
                var output = QParamsTensors.TakeOutput(tensors, path);
                return () => new FloatIsland(layer, output);
            }
            case SubstituteKind.KeptFloatLayer:
            {
                var output = QParamsTensors.TakeOutput(tensors, path);
                return () => new KeptFloatLayer(layer, output);
            }
            case SubstituteKind.DequantizeStep:
                return () => new DequantizeStep();
            case SubstituteKind.UncalibratedLayer:
                return () => new UncalibratedLayer(path);
            default:
                return () => new Identity();
        }
    }

    private (sbyte[] Weight, WeightQParams QParams) TakeQuantizedWeight(string path, Shape shape, int outChannels)
    {
        var weight = tensors.Take(QgmFormat.Key(path, QgmFormat.Weight), DType.I8, $"the int8 weight of '{path}'", shape).ToInt8();
        return (weight, QParamsTensors.TakeWeight(tensors, path, outChannels));
    }

    private void TakeBias(string path, int outChannels)
    {
        string key = QgmFormat.Key(path, QgmFormat.Bias);
        floatState.Add(key, tensors.Take(key, DType.F32, $"the float bias of '{path}'", new Shape(outChannels)));
    }

    /// <summary>The file's per-layer metadata by path, each entry checked to name a layer of the model that can have it.</summary>
    private Dictionary<string, T> Resolve<T>(
        IReadOnlyList<(string Path, T Value)> entries, Dictionary<string, Module> byPath, string key, Func<T, Layer, bool> fits)
    {
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var (path, value) in entries)
        {
            if (!byPath.TryGetValue(path, out var module) || module is not Layer layer || !fits(value, layer))
            {
                string found = module is null ? $"the model has no module '{path}'" : $"'{path}' is a {module.GetType().Name}";
                throw new QgmFormatException(filePath, null,
                    $"its \"{key}\" give '{path}' the value \"{value}\", but {found}. The file does not match the model's converted layout " +
                    "(it was altered, or written by another QuantGen build): save the converted model again with QgmFile.Save.");
            }
            result[path] = value;
        }
        return result;
    }
}
