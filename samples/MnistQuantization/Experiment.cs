using QuantGen;
using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using Spectre.Console;
using static QuantGen.Quantization.EagerQuantization;

namespace MnistQuantization;

/// <summary>
/// The seed's experiment: the same trained MobileNetV2 in each numeric form, built the way a PyTorch user builds
/// them — fuse, prepare, calibrate on training images, convert; or quantize dynamically.
/// </summary>
internal sealed class Experiment(string sharedDirectory, string? plotPath = null, bool report = false)
{
    /// <summary>Training images the numeric suite compares the float and int8 models on (<c>--report</c>).</summary>
    public const int ReportImages = 64;

    /// <summary>
    /// The mixed-precision row's held-out set: training images calibration never sees, so that choosing the layers does
    /// not look at the test images the table reports.
    /// </summary>
    public const int HeldOutStart = 50_000, HeldOutImages = 5000;

    /// <summary>The top-1 drop below float the mixed-precision row asks for, in points.</summary>
    public const double MaxTop1Drop = 0.1;

    /// <summary>Training images seen by the observers, in batches of 64, as PyTorch's run used.</summary>
    public const int CalibrationImages = 2048;

    private readonly Lazy<MnistSet> train = new(() => MnistSet.LoadTrain(Path.Combine(sharedDirectory, "data", "mnist")));

    /// <summary>
    /// The rows, in the order of PyTorch's table; each recipe builds its models when asked, reporting calibration
    /// progress. A static recipe gives two rows from one calibration: the converted model run eagerly, and the
    /// forward pass the generator compiled for <see cref="MobileNetV2"/> (<c>MobileNetV2.Int8</c>).
    /// </summary>
    public IReadOnlyList<Recipe> Recipes =>
    [
        new("float32", "load", Calibrates: false, _ => [Float()]),
        new("static/minmax-per-tensor", "fuse, calibrate, convert", Calibrates: true, progress => Static("static/minmax-per-tensor", QConfig.Default, progress, compare: report)),
        new("static/histogram-per-channel", "fuse, calibrate, convert", Calibrates: true, progress => Static("static/histogram-per-channel", QConfig.Onednn, progress)),
        .. report ? [new Recipe("mixed/amp", "rank layers, keep float, calibrate", Calibrates: false, _ => [Mixed()])] : Array.Empty<Recipe>(),
        new("dynamic/linear", "load, quantize", Calibrates: false, _ => [Dynamic()]),
        new("qat", "fine-tune, convert", Calibrates: false, _ => Qat(null), Qat),
    ];

    /// <summary>With <c>--report</c>: the numeric suite's comparison of the static MinMax model with its float form.</summary>
    public NumericSuiteReport? NumericSuiteReport { get; private set; }

    /// <summary>With <c>--report</c>: what AutoMixedPrecision chose for the static MinMax recipe.</summary>
    public MixedPrecisionResult? MixedPrecision { get; private set; }

    /// <summary>The seconds the last QAT fine-tuning took.</summary>
    public double QatTrainingSeconds { get; private set; }

    /// <summary>QAT fine-tuning, then the converted model eagerly and through the generated int8 pass.</summary>
    private IReadOnlyList<Variant> Qat(ProgressContext? progress)
    {
        var (model, training) = new QatRecipe(LoadFloat, train.Value, plotPath).Run(progress);
        QatTrainingSeconds = training.TotalSeconds;
        long size = ModelFileSize(model);
        return [Variant.Eager("qat", size, model.Forward), Variant.GeneratedPass("qat (generated)", size, Generated.Predict(MobileNetV2.Int8.From(model)))];
    }

    private MobileNetV2 LoadFloat()
    {
        var model = new MobileNetV2();
        model.LoadStateDict(SafeTensors.Load(Path.Combine(sharedDirectory, "fixtures", "mobilenetv2", "mnv2_float.safetensors")));
        model.Eval();
        return model;
    }

    private Variant Float()
    {
        var model = LoadFloat();
        return Variant.Eager("float32", SafeTensors.Serialize(model.StateDict()).LongLength, model.Forward);
    }

    /// <summary>
    /// The generated glue does what a PyTorch user writes by hand — fuse as [Fuse] says, prepare, calibrate,
    /// convert — and returns the generated int8 pass built from the converted model.
    /// </summary>
    private IReadOnlyList<Variant> Static(string name, QConfig qconfig, Action<int> progress, bool compare = false)
    {
        var model = LoadFloat();
        MobileNetV2.Int8 compiled = model.Calibrate(CalibrationBatches(), qconfig, progress).Convert();
        long size = ModelFileSize(model);
        if (compare) NumericSuiteReport = NumericSuite.Compare(model, train.Value.ToTensor(0, ReportImages));
        return [Variant.Eager(name, size, model.Forward), Variant.GeneratedPass($"{name} (generated)", size, Generated.Predict(compiled))];
    }

    /// <summary>
    /// The static MinMax recipe with the fewest layers kept in float that bring held-out top-1 within
    /// <see cref="MaxTop1Drop"/> of float; its size is its .qgm file's, kept layers' float weights included.
    /// </summary>
    private Variant Mixed()
    {
        var labels = train.Value.Labels.Slice(HeldOutStart, HeldOutImages).ToArray();
        var data = new MixedPrecisionData([.. CalibrationBatches()], train.Value.ToTensor(HeldOutStart, HeldOutImages), [.. labels.Select(l => (int)l)]);
        var result = AutoMixedPrecision(() =>
        {
            var model = LoadFloat();
            model.FuseModel();
            return model;
        }, data, MaxTop1Drop);
        MixedPrecision = result;
        return Variant.Eager($"mixed/amp ({result.KeptFloat.Count} kept float)", ModelFileSize(result.Model), result.Model.Forward);
    }

    private Variant Dynamic()
    {
        var model = LoadFloat();
        QuantizeDynamic(model, typeof(Linear));
        return Variant.Eager("dynamic/linear", ModelFileSize(model), model.Forward);
    }

    private IEnumerable<Tensor> CalibrationBatches()
    {
        for (int start = 0; start < CalibrationImages; start += 64) yield return train.Value.ToTensor(start, 64);
    }

    private static long ModelFileSize(Module model) => QuantizedModelSize.Of(model);
}

/// <summary>How to build one recipe's rows (<paramref name="Steps"/> says what building does); <paramref name="Build"/> receives a progress callback for calibration;
/// <paramref name="BuildWithProgress"/>, when given, builds with its own tasks on the progress display (QAT's training bar).</summary>
internal sealed record Recipe(
    string Name, string Steps, bool Calibrates, Func<Action<int>, IReadOnlyList<Variant>> Build, Func<ProgressContext, IReadOnlyList<Variant>>? BuildWithProgress = null);
