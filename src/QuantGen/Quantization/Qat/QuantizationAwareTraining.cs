using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// Quantization-aware training as PyTorch 1.13's eager mode does it: <see cref="Fusion.FuseModulesQat"/> (Conv+BN and
/// Linear+BatchNorm1d kept unfolded) → <see cref="PrepareQat"/> (fake quantization of weights and outputs) → train → optionally
/// <see cref="DisableObservers"/> and <see cref="FreezeBatchNormStats"/> partway → <c>EagerQuantization.Convert</c>,
/// which folds each BatchNorm and gives the same int8 layers as post-training quantization.
/// </summary>
public static class QuantizationAwareTraining
{
    /// <summary>PyTorch's name for a QAT layer's weight fake quantization.</summary>
    public const string WeightFakeQuantName = "weight_fake_quant";

    /// <summary>
    /// As PyTorch's <c>prepare_qat</c>: every layer <c>Prepare</c> would observe gets a <see cref="FakeQuantize"/>
    /// on its output (with the qconfig's activation observer), and every convolution and Linear layer runs its QAT
    /// form (<see cref="QatConv2d"/>, <see cref="QatLinear"/>) with a <see cref="FakeQuantize"/> on its weight
    /// (with the qconfig's weight observer: per tensor or per channel).
    /// </summary>
    /// <exception cref="QuantizationException">The qconfig is dynamic, the model is in eval mode, has no QuantStub, or is already prepared.</exception>
    public static void PrepareQat(Module model, QConfig qconfig)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(qconfig);
        if (qconfig.IsDynamic)
        {
            throw new QuantizationException("This qconfig has no activation observer: quantization-aware training fake-quantizes activations with one; use QConfig.DefaultQat or another static qconfig.");
        }
        if (!model.Training)
        {
            throw new QuantizationException("Quantization-aware training prepares a model in training mode: call model.Train() before PrepareQat (post-training Prepare takes an eval model).");
        }
        var layers = EagerQuantization.QuantizableLayers(model);
        if (!layers.OfType<QuantStub>().Any())
        {
            throw new QuantizationException($"{model.GetType().Name} has no QuantStub: add one where its input should become int8 (and a DeQuantStub where its output returns to float).");
        }
        if (model.Modules().OfType<Layer>().Any(l => l.OutputObserver is not null || l.Substitute is QatLinear { WeightFakeQuant: not null } or QatConv2d { WeightFakeQuant: not null }))
        {
            throw new QuantizationException($"{model.GetType().Name} is already prepared.");
        }
        foreach (var layer in layers)
        {
            // The weight's fake quantization first: PyTorch registers it before prepare adds the output's, so the state dict lists it first.
            switch (layer)
            {
                case Conv2d conv:
                    var convWeight = WeightFakeQuant(conv, qconfig);
                    conv.Substitute = new QatConv2d(conv, (conv.Substitute as QatConv2d)?.BatchNorm, convWeight);
                    break;
                case Linear linear:
                    linear.Substitute = new QatLinear(linear, (linear.Substitute as QatLinear)?.BatchNorm, WeightFakeQuant(linear, qconfig));
                    break;
            }
            if (layer is PointwiseActivation { FixedOutput: { } fixedOutput })
            {
                // PyTorch's FixedQParamsFakeQuantize: training sees the quint8 output the kernel will give.
                layer.OutputObserver = new FakeQuantize(FixedQParamsObserver.For(fixedOutput));
                EagerQuantization.Remember(layer, qconfig);
                continue;
            }
            if (!EagerQuantization.NeedsObserver(layer)) continue;
            layer.OutputObserver = new FakeQuantize(qconfig.CreateActivationObserver());
            EagerQuantization.Remember(layer, qconfig);
        }
    }

    /// <summary>Freezes every fake quantization's parameters (PyTorch's <c>model.apply(disable_observer)</c>); returns how many.</summary>
    public static int DisableObservers(Module model) => ForEachFakeQuantize(model, f => f.DisableObserver());

    /// <summary>Lets every fake quantization's observer update its parameters again (<c>enable_observer</c>); returns how many.</summary>
    public static int EnableObservers(Module model) => ForEachFakeQuantize(model, f => f.EnableObserver());

    /// <summary>
    /// From now on each unfolded BatchNorm normalises with its running statistics and stops updating them, even in
    /// training mode (PyTorch's <c>model.apply(freeze_bn_stats)</c>); γ and β still train. Returns how many.
    /// </summary>
    public static int FreezeBatchNormStats(Module model) => ForEachBatchNorm(model, frozen: true);

    /// <summary>Undoes <see cref="FreezeBatchNormStats"/> (<c>update_bn_stats</c>); returns how many.</summary>
    public static int UpdateBatchNormStats(Module model) => ForEachBatchNorm(model, frozen: false);

    private static FakeQuantize WeightFakeQuant(Layer layer, QConfig qconfig)
    {
        var fakeQuantize = new FakeQuantize(qconfig.CreateWeightObserver());
        layer.SetChild(WeightFakeQuantName, fakeQuantize);
        return fakeQuantize;
    }

    private static int ForEachFakeQuantize(Module model, Action<FakeQuantize> action)
    {
        ArgumentNullException.ThrowIfNull(model);
        var all = model.Modules().OfType<FakeQuantize>().ToList();
        foreach (var fakeQuantize in all) action(fakeQuantize);
        return all.Count;
    }

    private static int ForEachBatchNorm(Module model, bool frozen)
    {
        ArgumentNullException.ThrowIfNull(model);
        int count = 0;
        foreach (var layer in model.Modules().OfType<Layer>())
        {
            switch (layer.Substitute)
            {
                case QatConv2d { BatchNorm: not null } conv: conv.BatchNormFrozen = frozen; break;
                case QatLinear { BatchNorm: not null } linear: linear.BatchNormFrozen = frozen; break;
                default: continue;
            }
            count++;
        }
        return count;
    }
}
