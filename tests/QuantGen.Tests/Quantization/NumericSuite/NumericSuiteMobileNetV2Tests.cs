using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;
using QuantGen.Tests.IO;
using Xunit.Abstractions;

namespace QuantGen.Tests.Quantization.NumericSuiteTests;

/// <summary>
/// The numeric suite on the seed's MobileNetV2 (static MinMax, calibrated on real MNIST), each figure checked against the
/// same quantity computed here in float64 from a separately loaded float model and the converted model's own layers run one
/// by one (no hooks).
/// </summary>
public sealed class NumericSuiteMobileNetV2Tests(ITestOutputHelper output)
{
    private const int Images = 32;
    private const string Layer = "features.2.conv.0.0";   // block 2's 1×1 expansion: two blocks of int8 error before it

    private static readonly Lazy<MobileNetV2> Int8 = new(() => QgmTestModels.StaticMobileNetV2(images: 128));
    private static readonly Lazy<Tensor> TestImages = new(() => MnistSet.LoadTest().ToTensor(0, Images));
    private static readonly Lazy<NumericSuiteReport> Report = new(() => NumericSuite.Compare(Int8.Value, TestImages.Value));

    [Fact]
    public void Output_sqnr_of_one_layer_equals_a_float64_computation()
    {
        var (floatInput, floatOutput) = FloatAround(Layer);
        Tensor int8Output = Run(Int8.Value, [.. Prefix(), "features.2.conv.0"], TestImages.Value);

        var expected = Float64Error(floatOutput.Data, Dequantized(int8Output));
        var actual = Report.Value[Layer];

        Assert.Equal("Conv2d", actual.Kind);
        Assert.Equal(expected.Sqnr, actual.Output.SqnrDb, 9);
        Assert.Equal(expected.Max, actual.Output.MaxAbsError, 9);
        Assert.Equal(expected.Mean, actual.Output.MeanAbsError, 9);
        Assert.Equal(floatOutput.Length, actual.Output.Count);
        Assert.Equal(Images, Report.Value.Samples);
        // Not vacuous: int8 is close but not equal, and the float input really is the input of this layer.
        Assert.InRange(actual.Output.SqnrDb, 10, 60);
        Assert.Equal(new Shape(Images, 16, 14, 14), floatInput.Shape);
    }

    [Fact]
    public void By_itself_error_is_the_layer_alone_on_the_float_input_quantized_as_its_int8_input_was()
    {
        var (floatInput, floatOutput) = FloatAround(Layer);
        Tensor int8Input = Run(Int8.Value, Prefix(), TestImages.Value);
        // The float input in the int8 input's qparams, quantized here as PyTorch does (round half even of x / s, + z, clamp).
        var bytes = new byte[floatInput.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            double q = Math.Round(floatInput.Data[i] * (1f / int8Input.QuantScale), MidpointRounding.ToEven) + int8Input.QuantZeroPoint;
            bytes[i] = (byte)Math.Clamp(q, 0, 255);
        }
        var alone = Int8.Value.GetSubmodule(Layer)!.Forward(Tensor.FromQuantized(floatInput.Shape, bytes, int8Input.QuantScale, int8Input.QuantZeroPoint));

        var expected = Float64Error(floatOutput.Data, Dequantized(alone));
        var actual = Report.Value[Layer].ByItself!.Value;

        Assert.Equal(expected.Sqnr, actual.SqnrDb, 9);
        Assert.Equal(expected.Max, actual.MaxAbsError, 9);
        // Alone it loses less than with the two blocks of error before it carried in.
        Assert.True(actual.SqnrDb > Report.Value[Layer].Output.SqnrDb + 1, $"by itself {actual.SqnrDb:F2} dB, propagated {Report.Value[Layer].Output.SqnrDb:F2} dB");
    }

    [Fact]
    public void The_classifier_adds_little_by_itself_but_inherits_the_whole_network_s_error()
    {
        output.WriteLine(Report.Value.ToString());
        var classifier = Report.Value["classifier.1"];
        var quant = Report.Value["quant"];

        Assert.True(classifier.ByItself!.Value.SqnrDb > classifier.Output.SqnrDb + 3,
            $"classifier.1: by itself {classifier.ByItself!.Value.SqnrDb:F2} dB, output {classifier.Output.SqnrDb:F2} dB");
        // The QuantStub's own error is all the error at its output: nothing comes before it.
        Assert.Equal(quant.Output.SqnrDb, quant.ByItself!.Value.SqnrDb, 12);
        Assert.Equal("QuantStub", quant.Kind);
        Assert.Equal("classifier.1", Report.Value.Layers[^1].Path);
        Assert.DoesNotContain(Report.Value.Layers, l => l.Path == "dequant");
    }

    [Fact]
    public void Weight_sqnr_equals_a_float64_computation_from_the_dequantized_weight()
    {
        var floatModel = FusedFloat();
        var floatWeight = ((Conv2d)floatModel.GetSubmodule(Layer)!).Weight;
        var int8 = (QuantizedConv2d)((Conv2d)Int8.Value.GetSubmodule(Layer)!).Substitute!;
        var dequantized = new float[floatWeight.Length];
        for (int i = 0; i < dequantized.Length; i++) dequantized[i] = int8.WeightQParams.Scale(0) * (int8.Weight[i] - int8.WeightQParams.ZeroPoint(0));

        var expected = Float64Error(floatWeight.Data, dequantized);
        var actual = Report.Value[Layer].Weight!.Value;

        Assert.Equal(expected.Sqnr, actual.SqnrDb, 9);
        Assert.Equal(expected.Max, actual.MaxAbsError, 12);
        Assert.InRange(actual.SqnrDb, 20, 60);
        Assert.Equal(actual, NumericSuite.CompareWeights(Int8.Value).Single(w => w.Path == Layer).Error);
        // Weights belong to convolutions and Linear only.
        Assert.All(Report.Value.Layers, l => Assert.Equal(l.Kind is "Conv2d" or "Linear", l.Weight is not null));
    }

    [Fact]
    public void The_model_is_as_it_was_afterwards()
    {
        var model = QgmTestModels.StaticMobileNetV2(images: 64);
        Tensor images = TestImages.Value;
        float[] before = model.Forward(images).Data;

        NumericSuite.Compare(model, images);

        Assert.Equal(before, model.Forward(images).Data);
        Assert.All(model.Modules().OfType<Layer>(), l => Assert.Null(l.Hook));
        Assert.DoesNotContain(model.StateDict().Keys, k => k.Contains(QuantGen.Nn.Layer.ObserverName, StringComparison.Ordinal));
    }

    [Fact]
    public void An_unconverted_model_and_no_samples_are_refused_by_name()
    {
        var error = Assert.Throws<QuantizationException>(() => NumericSuite.Compare(FusedFloat(), TestImages.Value));
        Assert.Contains("MobileNetV2 has no int8 layers", error.Message);
        var empty = Assert.Throws<QuantizationException>(() => NumericSuite.Compare(Int8.Value, Array.Empty<Tensor>()));
        Assert.Contains("at least one sample", empty.Message);
    }

    /// <summary>The float model's input to <paramref name="path"/> (a block's first conv) and its output, fused as the int8 model was.</summary>
    private static (Tensor Input, Tensor Output) FloatAround(string path)
    {
        var model = FusedFloat();
        Tensor input = Run(model, Prefix(), TestImages.Value);
        return (input, Run(model, ["features.2.conv.0"], input));
    }

    private static string[] Prefix() => ["quant", "features.0", "features.1"];

    private static MobileNetV2 FusedFloat()
    {
        var model = TrainedModels.MobileNetV2();
        model.FuseModel();
        return model;
    }

    private static Tensor Run(Module model, string[] path, Tensor x)
    {
        foreach (string p in path) x = model.GetSubmodule(p)!.Forward(x);
        return x;
    }

    private static float[] Dequantized(Tensor q)
    {
        byte[] bytes = q.QuantizedData;
        var values = new float[bytes.Length];
        for (int i = 0; i < values.Length; i++) values[i] = q.QuantScale * (bytes[i] - q.QuantZeroPoint);
        return values;
    }

    private static (double Sqnr, double Max, double Mean) Float64Error(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double signal = 0, noise = 0, max = 0, sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = (double)x[i] - y[i];
            signal += (double)x[i] * x[i];
            noise += d * d;
            max = Math.Max(max, Math.Abs(d));
            sum += Math.Abs(d);
        }
        return (20 * Math.Log10(Math.Sqrt(signal) / Math.Sqrt(noise)), max, sum / x.Length);
    }
}
