using System.Runtime.CompilerServices;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// PyTorch's eager-mode quantization workflow, in place: <see cref="FuseModules"/> → <see cref="Prepare"/>
/// (observers after every layer that will run in int8, and after every float island) → <see cref="Calibrate"/>
/// (representative data through the float model) → <see cref="Convert"/> (each layer's int8 form runs in its
/// place). <see cref="QuantizeDynamic"/> is the one-step dynamic alternative for Linear layers.
/// With <c>using static QuantGen.Quantization.EagerQuantization;</c> the calls read as in PyTorch.
/// </summary>
public static class EagerQuantization
{
    // The qconfig each observed layer was prepared with; its weight observer is used at convert.
    private static readonly ConditionalWeakTable<Layer, QConfig> Configs = new();

    // The layers Prepare was told to keep in float; Convert makes each a KeptFloatLayer.
    private static readonly ConditionalWeakTable<Layer, object> Kept = new();
    private static readonly object KeptMark = new();

    /// <inheritdoc cref="Fusion.FuseModules"/>
    public static void FuseModules(Module model, params string[][] groups) => Fusion.FuseModules(model, groups);

    /// <inheritdoc cref="Fusion.FuseModulesQat"/>
    public static void FuseModulesQat(Module model, params string[][] groups) => Fusion.FuseModulesQat(model, groups);

    /// <inheritdoc cref="QuantizationAwareTraining.PrepareQat"/>
    public static void PrepareQat(Module model, QConfig qconfig) => QuantizationAwareTraining.PrepareQat(model, qconfig);

    /// <summary>
    /// Attaches an activation observer made by <paramref name="qconfig"/> to the output of the model's QuantStubs,
    /// convolutions, linear layers, residual adds, FloatFunctionals and activations with observed output qparams (Hardswish, LeakyReLU,
    /// ELU), and of every layer with no int8 kernel (which will run as a float island). ReLU, pooling, flatten and
    /// dropout need none: they work on quantized values directly; nor do Hardsigmoid, Sigmoid and Tanh, whose quint8
    /// output qparams PyTorch fixes.
    /// </summary>
    /// <param name="model">The float model, in eval mode, fused if it is to be.</param>
    /// <param name="qconfig">Makes each layer's activation observer, and at convert its weight observer.</param>
    /// <param name="keepFloat">
    /// Module paths (<c>"features.18"</c>, <c>"classifier.1"</c>, as <see cref="Module.NamedModules"/> names them) whose
    /// layers stay in float, as PyTorch's <c>qconfig = None</c> on those modules; a container keeps every layer under
    /// it, and a layer fused into another keeps the fused layer. After <see cref="Convert"/> each runs its float
    /// forward as a <see cref="KeptFloatLayer"/>, with the conversions placed around it: its input is dequantized unless
    /// it is a kept layer's float output; its output is quantized, with the range observed at it during calibration,
    /// for a layer that runs in int8, while kept layers, pass-throughs (Dropout, fused-away layers) and the final
    /// DeQuantStub read its float values unrounded. So keeping the classifier in float gives float logits, never
    /// rounded to 8 bits. The generated int8 pass of a <c>[KeepFloat]</c> class follows the same rule, bit for bit.
    /// </param>
    /// <exception cref="QuantizationException">The model is in training mode, has no QuantStub, or is already prepared;
    /// or <paramref name="keepFloat"/> names a FloatFunctional.</exception>
    /// <exception cref="UnknownModulePathException">A <paramref name="keepFloat"/> path names no module; says which path is closest.</exception>
    public static void Prepare(Module model, QConfig qconfig, params IReadOnlyCollection<string> keepFloat)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(qconfig);
        if (qconfig.IsDynamic)
        {
            throw new QuantizationException("This qconfig has no activation observer: it is for dynamic quantization; call QuantizeDynamic instead of Prepare.");
        }
        if (model.Training)
        {
            throw new QuantizationException("Post-training quantization runs on the model in eval mode: call model.Eval() before Prepare (QAT prepares a training model).");
        }
        var layers = QuantizableLayers(model);
        if (!layers.OfType<QuantStub>().Any())
        {
            throw new QuantizationException($"{model.GetType().Name} has no QuantStub: add one where its input should become int8 (and a DeQuantStub where its output returns to float).");
        }
        if (layers.Any(l => l.OutputObserver is not null))
        {
            throw new QuantizationException($"{model.GetType().Name} is already prepared.");
        }
        ArgumentNullException.ThrowIfNull(keepFloat);
        var kept = KeptLayers.Resolve(model, keepFloat);
        // A kept layer is observed whatever it is: its output range is what an int8 layer after it is quantized with.
        foreach (var layer in layers.Where(l => NeedsObserver(l) || kept.Contains(l)))
        {
            layer.OutputObserver = qconfig.CreateActivationObserver();
            Remember(layer, qconfig);
        }
        foreach (var layer in kept) Kept.AddOrUpdate(layer, KeptMark);
    }

    /// <summary>Runs each batch through the prepared model so that its observers record the ranges; returns the images seen.</summary>
    /// <exception cref="QuantizationException">The model was not prepared, or <paramref name="batches"/> is empty or holds
    /// a null or empty batch (named by its position).</exception>
    /// <exception cref="CalibrationException">A batch holds NaN or infinity, or every input value was zero; names the observer.</exception>
    public static long Calibrate(Module model, IEnumerable<Tensor> batches, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        if (!Observers(model).Any())
        {
            throw new QuantizationException($"{model.GetType().Name} has no observers to calibrate: call Prepare(model, qconfig) first.");
        }
        long images = 0;
        int index = 0;
        foreach (var batch in batches)
        {
            int samples = RequireSamples(batch, index++);
            model.Forward(batch);
            images += samples;
            progress?.Invoke(samples);
        }
        if (images == 0)
        {
            throw new QuantizationException("The calibration set is empty: pass representative inputs (a few hundred to a few thousand images) to Calibrate.");
        }
        RequireUsableInputRanges(model, images);
        return images;
    }

    private static int RequireSamples(Tensor? batch, int index)
    {
        if (batch is null)
        {
            throw new QuantizationException($"Batch {index} of the calibration set is null: pass tensors of representative inputs, [N, ...] with N ≥ 1.");
        }
        int samples = batch.Rank > 0 ? batch.Size(0) : 1;
        if (batch.Length == 0)
        {
            throw new QuantizationException(
                $"Batch {index} of the calibration set has no samples (shape {batch.Shape}): leave empty batches out, or check how the set is split into batches.");
        }
        return samples;
    }

    /// <summary>
    /// Refuses inputs that were all zero (within the eps that floors the scale): the QuantStub's scale would be eps,
    /// so every real input would saturate to the same few values and the int8 model would answer the same for all.
    /// Inner layers may legitimately see a constant (a dead branch); the input may not.
    /// </summary>
    private static void RequireUsableInputRanges(Module model, long images)
    {
        foreach (var stub in model.Modules().OfType<QuantStub>().Where(s => s.OutputObserver is not null))
        {
            Observer observer = ActivationObserverOf(stub);
            if (!observer.HasObserved || observer.CalculateQParams() is not { IsPerChannel: false } qparams) continue;
            if (qparams.Scale > observer.Eps) continue;
            string range = observer switch
            {
                MinMaxObserver m => $"[{m.MinVal:G6}, {m.MaxVal:G6}]",
                HistogramObserver h => $"[{h.MinVal:G6}, {h.MaxVal:G6}]",
                _ => $"less than {(observer.QuantMax - observer.QuantMin) * observer.Eps:G3} wide",
            };
            string name = $"'{observer.Path}' ({observer.GetType().Name})";
            throw new CalibrationException(name,
                $"{name}: every value it saw in {images} calibration samples lies in {range}, so its int8 scale would be the floor " +
                $"eps = {observer.Eps:G6} and every input of the int8 model would quantize to the same few values, giving the same output for all. " +
                "The calibration inputs are all zero (unfilled buffers? images not loaded?): pass real, representative inputs, normalised as in training.");
        }
    }

    /// <summary>
    /// Replaces every observed layer by its int8 form — QuantStub → quantize, Conv2d/Conv1d/Linear → int8 with weights
    /// quantized by the qconfig's weight observer, Add → int8 add, FloatFunctional → QFunctional, Hardswish/LeakyReLU/ELU → their lookup table with
    /// the observed output qparams, a layer kept in float → a <see cref="KeptFloatLayer"/>, anything else observed → a float
    /// island — and every DeQuantStub by a dequantize.
    /// Observers are removed; Hardsigmoid, Sigmoid and Tanh stay float modules, which run their int8 table on a
    /// quantized input (after QAT their fixed fake quantization is removed too).
    /// </summary>
    /// <exception cref="QuantizationException">The model was not prepared.</exception>
    /// <exception cref="NotCalibratedException">No observer saw any data: calibrate first; names an observer.</exception>
    public static void Convert(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var observed = model.Modules().OfType<Layer>().Where(l => l.OutputObserver is not null).ToList();
        if (observed.Count == 0)
        {
            throw new QuantizationException($"{model.GetType().Name} has not been prepared: call Prepare(model, qconfig), then Calibrate, then Convert.");
        }
        if (!observed.Any(l => ActivationObserverOf(l).HasObserved))
        {
            throw new NotCalibratedException(observed[0].OutputObserver!.Path);
        }
        // Every observer is read before anything changes, so a failed convert leaves the prepared model as it was.
        // A layer that calibration never reached has no range: it gets a stand-in that explains this if it runs.
        var plans = observed
            .Select(layer => (Layer: layer, Output: ActivationObserverOf(layer).HasObserved ? ActivationFrom(ActivationObserverOf(layer)) : (ActivationQParams?)null))
            .ToList();
        foreach (var (layer, observedOutput) in plans)
        {
            if (layer is FloatFunctional)
            {
                // Its scalar ops need no observed range (PyTorch derives theirs from the input's), so it converts either way.
                layer.Substitute = new QFunctional(observedOutput);
                layer.OutputObserver = null;
                continue;
            }
            if (observedOutput is not { } output)
            {
                layer.Substitute = new UncalibratedLayer(layer.Path);
                layer.OutputObserver = null;
                continue;
            }
            if (Kept.TryGetValue(layer, out _))
            {
                layer.Substitute = new KeptFloatLayer(layer, output);
                layer.OutputObserver = null;
                continue;
            }
            layer.Substitute = layer switch
            {
                QuantStub => new QuantizeStep(output),
                Conv2d conv => QuantizeConv(conv, ConfigOf(layer), output),
                ConvTranspose2d transposed => QuantizeConvTranspose(transposed, ConfigOf(layer), output),
                BatchNorm2d batchNorm => new QuantizedBatchNorm2d(batchNorm, output),
                Linear linear => QuantizeLinear(linear, ConfigOf(layer), output),
                Add => new QuantizedAdd(output),
                // After QAT's fixed fake quantization: the float module runs its kernel on the quantized tensor.
                PointwiseActivation { FixedOutput: not null } => null,
                PointwiseActivation activation => new QuantizedPointwise(activation, output),
                _ => new FloatIsland(layer, output),
            };
            layer.OutputObserver = null;
        }
        foreach (var stub in model.Modules().OfType<DeQuantStub>()) stub.Substitute = new DequantizeStep();
    }

    /// <summary>
    /// Dynamic quantization, as PyTorch's <c>quantize_dynamic(model, {nn.Linear})</c>: int8 weights (per-tensor
    /// symmetric, <see cref="QConfig.DefaultDynamic"/>), activations quantized per call from each batch's range,
    /// float in and float out. Only Linear has a dynamic form.
    /// </summary>
    public static void QuantizeDynamic(Module model, params Type[] layerTypes)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (layerTypes is null || layerTypes.Length == 0) layerTypes = [typeof(Linear)];
        foreach (var type in layerTypes)
        {
            if (!typeof(Linear).IsAssignableFrom(type))
            {
                throw new QuantizationException($"Dynamic quantization covers Linear layers only; {type.Name} has no dynamic int8 form.");
            }
        }
        foreach (var linear in model.Modules().OfType<Linear>().Where(l => l.Substitute is null && layerTypes.Any(t => t.IsInstanceOfType(l))).ToList())
        {
            var (weight, qparams) = QuantizeWeight(linear.Weight, QConfig.DefaultDynamic);
            linear.Substitute = new DynamicQuantizedLinear(linear, weight, qparams);
        }
    }

    /// <summary>
    /// Automatic mixed precision: keeps in float the fewest layers, most sensitive first, that bring the int8 model within
    /// <paramref name="maxTop1Drop"/> top-1 points of float on the held-out data. Layers are ranked by the error each adds by
    /// itself (<see cref="NumericSuite.Compare(Module, Tensor)"/> on the first calibration batch); the first k are kept for
    /// k = 1, 2, … until the target is met, then any of them the target does not need is let go. Each trial builds a fresh
    /// model with <paramref name="floatModel"/>, prepares it with its keep-float list, calibrates and converts it.
    /// </summary>
    /// <param name="floatModel">Makes a new float model each call, in eval mode and fused as it is to be quantized.</param>
    /// <param name="data">Calibration batches and labelled held-out inputs.</param>
    /// <param name="maxTop1Drop">The allowed drop below float top-1, in percentage points (0.1 = a tenth of a point).</param>
    /// <param name="qconfig">Observers for every trial; <see cref="QConfig.Default"/> when null.</param>
    /// <returns>The layers kept (and <see cref="MixedPrecisionResult.KeepFloatAttribute"/>, the line to paste), the mixed model,
    /// its top-1, size and latency; <see cref="MixedPrecisionResult.MeetsTarget"/> is false if keeping every ranked layer fell short.</returns>
    /// <exception cref="QuantizationException">No calibration data, held-out inputs and labels of different counts, or a factory that returns null or a training-mode model.</exception>
    public static MixedPrecisionResult AutoMixedPrecision(Func<Module> floatModel, MixedPrecisionData data, double maxTop1Drop, QConfig? qconfig = null)
    {
        ArgumentNullException.ThrowIfNull(floatModel);
        ArgumentNullException.ThrowIfNull(data);
        return new MixedPrecisionSearch(floatModel, data, maxTop1Drop, qconfig ?? QConfig.Default).Run();
    }

    /// <summary>Every observer attached by <see cref="Prepare"/>.</summary>
    public static IEnumerable<(string Path, Observer Observer)> Observers(Module model) =>
        from m in model.NamedModules() where m.Module is Observer select (m.Name, (Observer)m.Module);

    /// <summary>The qconfig <see cref="Prepare"/> gave the layer; every observed layer has one.</summary>
    private static QConfig ConfigOf(Layer layer) =>
        Configs.TryGetValue(layer, out var qconfig)
            ? qconfig
            : throw new InvalidOperationException($"'{layer.Path}' has an observer that Prepare did not attach; prepare the model with Prepare(model, qconfig).");

    /// <summary>The layers quantization may still change: untouched ones, and convolutions fused for training but not prepared.</summary>
    internal static List<Layer> QuantizableLayers(Module model) =>
        model.Modules().OfType<Layer>().Where(l => l.Substitute is null or QatConv2d { WeightFakeQuant: null } or QatLinear { WeightFakeQuant: null }).ToList();

    internal static void Remember(Layer layer, QConfig qconfig) => Configs.AddOrUpdate(layer, qconfig);

    /// <summary>The observer behind a layer's output: the one PTQ attached, or the one inside QAT's FakeQuantize.</summary>
    private static Observer ActivationObserverOf(Layer layer) => layer.OutputObserver switch
    {
        Observer observer => observer,
        FakeQuantize fakeQuantize => fakeQuantize.ActivationPostProcess,
        var other => throw new InvalidOperationException($"'{layer.Path}' has an output module of type {other?.GetType().Name} where an observer belongs."),
    };

    internal static bool NeedsObserver(Layer layer) =>
        layer is not (DeQuantStub or ReLU or ReLU6 or MaxPool2d or AvgPool2d or AdaptiveAvgPool2d or MaxPool1d or AvgPool1d or AdaptiveAvgPool1d
            or Flatten or Dropout or Upsample)
        && layer is not PointwiseActivation { FixedOutput: not null };

    private static ActivationQParams ActivationFrom(Observer observer)
    {
        var qparams = observer.CalculateQParams();   // throws NotCalibratedException when it saw nothing
        if (qparams.IsPerChannel || qparams.DType != QDType.QUInt8)
        {
            throw new QuantizationException($"The activation observer '{observer.Path}' gives {qparams.DType} per-{(qparams.IsPerChannel ? "channel" : "tensor")} parameters; activations are quint8 per tensor.");
        }
        return new ActivationQParams(qparams.Scale, qparams.ZeroPoint);
    }

    /// <summary>
    /// A convolution's int8 form. After QAT, as PyTorch's <c>from_float</c> does: a BatchNorm trained beside the
    /// convolution is folded now, with its running statistics, and the weight takes the qparams of its fake
    /// quantization (whose observer sees the folded weight once more if it is still enabled).
    /// </summary>
    private static QuantizedConv2d QuantizeConv(Conv2d conv, QConfig qconfig, ActivationQParams output)
    {
        var qat = conv.Substitute as QatConv2d;
        if (qat?.BatchNorm is { } batchNorm) conv.FoldBatchNorm(batchNorm);
        var (weight, qparams) = QuantizeWeight(conv.Weight, WeightObserverFor(conv, qat?.WeightFakeQuant, qconfig));
        return new QuantizedConv2d(conv, weight, qparams, output);
    }

    /// <summary>
    /// A transposed convolution's int8 form, with per-tensor weights whatever the qconfig says: PyTorch 1.13 runs no
    /// other kind for a transposed convolution (its <c>from_float</c> refuses a per-channel weight observer, so a PyTorch
    /// model with a per-channel qconfig sets this layer's qconfig to <c>default_weight_observer</c>, which is what a
    /// per-channel qconfig gets here).
    /// </summary>
    private static QuantizedConvTranspose2d QuantizeConvTranspose(ConvTranspose2d layer, QConfig qconfig, ActivationQParams output)
    {
        var observer = qconfig.CreateWeightObserver();
        if (observer.QScheme.IsPerChannel()) observer = QConfig.PerTensorSymmetricWeights();
        var (weight, qparams) = QuantizeWeight(layer.Weight, (observer, true));
        return new QuantizedConvTranspose2d(layer, weight, qparams, output);
    }

    private static QuantizedLinear QuantizeLinear(Linear linear, QConfig qconfig, ActivationQParams output)
    {
        var qat = linear.Substitute as QatLinear;
        // LinearBn1d's convert (nnq.Linear.from_float): fold, then quantize with the qparams training's fake quantization holds.
        if (qat?.BatchNorm is { } batchNorm) linear.FoldBatchNorm(batchNorm);
        var (weight, qparams) = QuantizeWeight(linear.Weight, WeightObserverFor(linear, qat?.WeightFakeQuant, qconfig));
        return new QuantizedLinear(linear, weight, qparams, output);
    }

    /// <summary>The QAT weight fake quantization's observer (detached from the layer: the int8 layer has none), or a fresh one.</summary>
    private static (Observer Observer, bool Observe) WeightObserverFor(Layer layer, FakeQuantize? weightFakeQuant, QConfig qconfig)
    {
        if (weightFakeQuant is null) return (qconfig.CreateWeightObserver(), true);
        layer.SetChild(QuantizationAwareTraining.WeightFakeQuantName, null);
        return (weightFakeQuant.ActivationPostProcess, weightFakeQuant.ObserverEnabled);
    }

    /// <summary>Observes the (fused) float weight with a fresh weight observer and quantizes it to qint8.</summary>
    internal static (sbyte[] Weight, WeightQParams QParams) QuantizeWeight(Tensor weight, QConfig qconfig) =>
        QuantizeWeight(weight, (qconfig.CreateWeightObserver(), true));

    /// <summary>Quantizes the float weight to qint8 with the observer's qparams, after it observes the weight if <c>Observe</c>.</summary>
    private static (sbyte[] Weight, WeightQParams QParams) QuantizeWeight(Tensor weight, (Observer Observer, bool Observe) with)
    {
        var observer = with.Observer;
        if (with.Observe) observer.Forward(weight);
        var qparams = observer.CalculateQParams();
        if (qparams.DType != QDType.QInt8)
        {
            throw new QuantizationException($"Weights are quantized to qint8, but the qconfig's weight observer gives {qparams.DType}.");
        }
        var weightQ = qparams.IsPerChannel
            ? WeightQParams.PerChannel(qparams.Scales.AsSpan(), qparams.ZeroPoints.AsSpan())
            : WeightQParams.PerTensor(qparams.Scale, qparams.ZeroPoint);
        var values = new sbyte[weight.Length];
        Quantize.Weights(weight.Data, weight.Size(0), weightQ, values);
        return (values, weightQ);
    }
}
