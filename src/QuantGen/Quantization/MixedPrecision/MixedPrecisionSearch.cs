using System.Diagnostics;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// <see cref="EagerQuantization.AutoMixedPrecision"/>'s search. The numeric suite ranks the all-int8 model's layers by
/// the error each adds by itself; the search keeps the first k of that ranking in float for k = 1, 2, … until top-1 is
/// within the allowed drop, then drops any kept layer the target does not need (last ranked first). Each trial is a fresh
/// model, prepared with its keep-float list, calibrated and converted: the same recipe the user runs.
/// </summary>
internal sealed class MixedPrecisionSearch(Func<Module> floatModel, MixedPrecisionData data, double maxTop1Drop, QConfig qconfig)
{
    private readonly List<MixedPrecisionTrial> trials = [];

    public MixedPrecisionResult Run()
    {
        Validate();
        double floatTop1 = Top1(Float());
        var int8 = Quantized([]);
        double int8Top1 = Top1(int8);
        trials.Add(new([], int8Top1));

        var report = NumericSuite.Compare(int8, data.Calibration[0]);
        var ranking = report.MostSensitiveFirst().Where(l => l.Kind is not (nameof(QuantStub) or nameof(FloatFunctional))).Select(l => l.Path).ToList();

        List<string> kept = [];
        var (best, bestTop1) = (int8, int8Top1);
        for (int k = 1; !Within(bestTop1) && k <= ranking.Count; k++)
        {
            kept = ranking[..k];
            (best, bestTop1) = Try(kept);
        }
        if (Within(bestTop1)) (kept, best, bestTop1) = Prune(kept, best, bestTop1);

        return new MixedPrecisionResult(kept, report.Layers.Count, floatTop1, int8Top1, bestTop1, maxTop1Drop,
            best, WeightBytes(best), WeightBytes(int8), MedianLatencyMs(best), [.. trials]);

        bool Within(double top1) => MixedPrecisionResult.IsWithin(floatTop1, top1, maxTop1Drop);

        (List<string>, Module, double) Prune(List<string> kept, Module model, double top1)
        {
            for (int i = kept.Count - 1; i >= 0 && kept.Count > 1; i--)
            {
                List<string> fewer = [.. kept.Where((_, j) => j != i)];
                var (candidate, candidateTop1) = Try(fewer);
                if (Within(candidateTop1)) (kept, model, top1) = (fewer, candidate, candidateTop1);
            }
            return (kept, model, top1);
        }
    }

    private (Module Model, double Top1) Try(List<string> kept)
    {
        var model = Quantized(kept);
        double top1 = Top1(model);
        trials.Add(new([.. kept], top1));
        return (model, top1);
    }

    private void Validate()
    {
        if (maxTop1Drop is < 0 or > 100 || double.IsNaN(maxTop1Drop))
        {
            throw new ArgumentOutOfRangeException(nameof(maxTop1Drop), maxTop1Drop, "The allowed top-1 drop is in percentage points, from 0 to 100.");
        }
        if (data.Calibration.Count == 0) throw new QuantizationException("AutoMixedPrecision needs calibration batches: MixedPrecisionData.Calibration is empty.");
        if (data.HeldOut.Rank == 0 || data.HeldOut.Size(0) != data.Labels.Count || data.Labels.Count == 0)
        {
            throw new QuantizationException(
                $"AutoMixedPrecision's held-out set has {(data.HeldOut.Rank == 0 ? 0 : data.HeldOut.Size(0))} inputs ({data.HeldOut.Shape}) and {data.Labels.Count} labels: pass one label per input, at least one.");
        }
    }

    private Module Float()
    {
        var model = floatModel() ?? throw new QuantizationException("AutoMixedPrecision's model factory returned null: return a new float model each call.");
        if (model.Training) throw new QuantizationException("AutoMixedPrecision's model factory returned a model in training mode: call Eval() on it (and fuse it) before returning it.");
        return model;
    }

    private Module Quantized(IReadOnlyCollection<string> keepFloat)
    {
        var model = Float();
        EagerQuantization.Prepare(model, qconfig, keepFloat);
        EagerQuantization.Calibrate(model, data.Calibration);
        EagerQuantization.Convert(model);
        return model;
    }

    private const int EvaluationBatch = 64;

    /// <summary>Top-1 in percent over the held-out inputs; ties go to the lower class, as argmax does.</summary>
    private double Top1(Module model)
    {
        Tensor all = data.HeldOut;
        int n = all.Size(0), per = all.Length / n, correct = 0;
        var dims = all.Shape.ToArray();
        for (int start = 0; start < n; start += EvaluationBatch)
        {
            dims[0] = Math.Min(EvaluationBatch, n - start);
            var logits = model.Forward(new Tensor(new Shape(dims), all.Data.AsSpan(start * per, dims[0] * per).ToArray()));
            int classes = logits.Length / dims[0];
            for (int i = 0; i < dims[0]; i++)
            {
                var row = logits.Data.AsSpan(i * classes, classes);
                int best = 0;
                for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
                if (best == data.Labels[start + i]) correct++;
            }
        }
        return 100.0 * correct / n;
    }

    /// <summary>One per int8 weight (with its float32 bias), four per value of every other layer's own parameters; folded layers none.</summary>
    internal static long WeightBytes(Module model)
    {
        long bytes = 0;
        foreach (var layer in model.Modules().OfType<Layer>())
        {
            bytes += layer.Substitute switch
            {
                QuantizedWeightLayer q => q.Weight.Length + sizeof(float) * (q.Bias?.Length ?? 0),
                Identity => 0,
                _ => sizeof(float) * layer.Parameters().Sum(p => (long)p.Length),
            };
        }
        return bytes;
    }

    /// <summary>Median of 31 timed runs on the first held-out input, after 5 untimed.</summary>
    private double MedianLatencyMs(Module model)
    {
        var dims = data.HeldOut.Shape.ToArray();
        dims[0] = 1;
        var one = new Tensor(new Shape(dims), data.HeldOut.Data.AsSpan(0, data.HeldOut.Length / data.HeldOut.Size(0)).ToArray());
        for (int i = 0; i < 5; i++) model.Forward(one);
        var times = new double[31];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            model.Forward(one);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }
}
