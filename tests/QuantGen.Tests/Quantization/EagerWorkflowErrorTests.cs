using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Quantization;

public class EagerWorkflowErrorTests
{
    [Fact]
    public void Calibration_data_with_NaN_names_the_layer_whose_observer_saw_it_and_stops()
    {
        var model = Prepared(QConfig.Default);
        var batch = MnistSet.LoadTest().ToTensor(0, 4);
        batch.Data[100] = float.NaN;
        int seen = 0;

        var error = Assert.Throws<CalibrationException>(() => Calibrate(model, [batch, batch], _ => seen++));

        Assert.Contains($"'quant.{Layer.ObserverName}'", error.Observer);
        Assert.Contains("quant.activation_post_process", error.Message);
        Assert.Equal(0, seen);   // stopped at the first batch
    }

    [Fact]
    public void Calibration_data_with_infinity_is_refused_too()
    {
        var model = Prepared(QConfig.Onednn);
        var batch = MnistSet.LoadTest().ToTensor(0, 2);
        batch.Data[5] = float.PositiveInfinity;

        var error = Assert.Throws<CalibrationException>(() => Calibrate(model, [batch]));
        Assert.Equal(1, error.InfinityCount);
    }

    [Fact]
    public void Convert_before_any_calibration_names_an_observer_and_says_to_calibrate()
    {
        var model = Prepared(QConfig.Default);

        var error = Assert.Throws<NotCalibratedException>(() => Convert(model));

        Assert.Contains("activation_post_process", error.Observer);
        Assert.Contains("calibrat", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.All(model.Modules().OfType<Layer>(), l => Assert.True(l.Substitute is null or Identity, $"{l.Path} was converted by a failed Convert"));
    }

    [Fact]
    public void An_empty_calibration_set_is_a_typed_error_that_says_what_to_pass()
    {
        var model = Prepared(QConfig.Default);

        var error = Assert.Throws<QuantizationException>(() => Calibrate(model, []));

        Assert.Contains("calibration set is empty", error.Message);
    }

    [Fact]
    public void Convert_without_Prepare_and_Prepare_in_training_mode_say_what_to_do()
    {
        var unprepared = new SmallCnn();
        unprepared.Eval();
        Assert.Contains("call Prepare", Assert.Throws<QuantizationException>(() => Convert(unprepared)).Message);
        Assert.Contains("call Prepare", Assert.Throws<QuantizationException>(() => Calibrate(unprepared, [Tensor.Zeros(1, 1, 28, 28)])).Message);
        Assert.Contains("model.Eval()", Assert.Throws<QuantizationException>(() => Prepare(new SmallCnn(), QConfig.Default)).Message);
        Assert.Contains("QuantizeDynamic", Assert.Throws<QuantizationException>(() => Prepare(unprepared, QConfig.DefaultDynamic)).Message);
    }

    [Fact]
    public void A_model_without_a_QuantStub_cannot_be_prepared()
    {
        var model = new Sequential(new Conv2d(1, 2, 3), new ReLU());
        model.Eval();

        var error = Assert.Throws<QuantizationException>(() => Prepare(model, QConfig.Default));
        Assert.Contains("no QuantStub", error.Message);
    }

    [Fact]
    public void A_converted_layer_fed_a_float_tensor_says_to_add_a_QuantStub()
    {
        var model = Prepared(QConfig.Default);
        Calibrate(model, [MnistSet.LoadTest().ToTensor(0, 8)]);
        Convert(model);
        var conv2 = model.GetSubmodule("conv2")!;

        var error = Assert.Throws<QuantizationException>(() => conv2.Forward(Tensor.Zeros(1, 8, 14, 14)));
        Assert.Contains("QuantStub", error.Message);
        Assert.Contains("('conv2')", error.Message);   // the substitute is named as the layer it stands for
    }

    [Fact]
    public void A_layer_calibration_never_reached_is_converted_to_a_stand_in_that_says_so_when_run()
    {
        var model = TrainedModels.MobileNetV2();
        model.FuseModel();
        Prepare(model, QConfig.Default);
        Calibrate(model, [MnistSet.LoadTrain().ToTensor(0, 8)]);

        Convert(model);

        // features.1 keeps neither stride nor width, so its residual add never runs.
        var add = (Add)model.GetSubmodule("features.1.skipAdd")!;
        Assert.IsType<UncalibratedLayer>(add.Substitute);
        var error = Assert.Throws<QuantizationException>(() => add.Forward(Tensor.Zeros(1, 16, 14, 14), Tensor.Zeros(1, 16, 14, 14)));
        Assert.Contains("'features.1.skipAdd' saw no data during calibration", error.Message);
        Assert.IsType<QuantizedAdd>(((Add)model.GetSubmodule("features.3.skipAdd")!).Substitute);
        // Substitutes and the float layers they came from are referenced, not owned: not children.
        Assert.DoesNotContain(model.NamedModules(), m => m.Name.Contains("Substitute") || m.Name.Contains("Source"));
    }

    [Fact]
    public void Dynamic_quantization_quantizes_every_Linear_and_keeps_the_logits_close_to_float()
    {
        var model = TrainedModels.SmallCnn();
        var images = Fixtures.LoadProbeImages();
        var reference = model.Forward(images);

        QuantizeDynamic(model, typeof(Linear));

        Assert.IsType<DynamicQuantizedLinear>(((Layer)model.GetSubmodule("fc1")!).Substitute);
        Assert.IsType<DynamicQuantizedLinear>(((Layer)model.GetSubmodule("fc2")!).Substitute);
        var logits = model.Forward(images);
        for (int i = 0; i < 16; i++)
        {
            var row = reference.Data.AsSpan(i * 10, 10).ToArray();
            var quantized = logits.Data.AsSpan(i * 10, 10).ToArray();
            Assert.Equal(Array.IndexOf(row, row.Max()), Array.IndexOf(quantized, quantized.Max()));
            for (int k = 0; k < 10; k++) Assert.True(Math.Abs(row[k] - quantized[k]) < 0.1f + 0.02f * Math.Abs(row[k]), $"image {i}, class {k}: {row[k]} vs {quantized[k]}");
        }
        Assert.Throws<QuantizationException>(() => QuantizeDynamic(TrainedModels.SmallCnn(), typeof(Conv2d)));
    }


    private static SmallCnn Prepared(QConfig qconfig)
    {
        var model = TrainedModels.SmallCnn();
        FuseModules(model, SmallCnn.FusionGroups);
        Prepare(model, qconfig);
        return model;
    }
}
