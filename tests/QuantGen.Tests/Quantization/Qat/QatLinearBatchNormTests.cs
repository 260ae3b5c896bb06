using System.Text.Json;
using QuantGen.Nn;
using QuantGen.Quantization;
using static QuantGen.Quantization.QuantizationAwareTraining;

namespace QuantGen.Tests.Quantization.Qat;

/// <summary>
/// QAT's Linear+BatchNorm1d, PyTorch 1.13's <c>LinearBn1d</c>, against Fixtures/qat_linear_bn.json (made by
/// qat_linear_bn.py): two training steps and one with the BatchNorm frozen give PyTorch's outputs, gradients and running
/// statistics within 1e-5, and convert gives PyTorch's int8 Linear — the same weight bytes, weight and output qparams,
/// folded bias, and quint8 output.
/// </summary>
public sealed class QatLinearBatchNormTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "qat_linear_bn.json"))).RootElement);

    private const float Tolerance = 1e-5f;

    [Theory]
    [InlineData("per_tensor")]
    [InlineData("per_channel")]
    public void Training_steps_and_convert_give_PyTorchs_numbers(string qconfig)
    {
        JsonElement root = Fixture.Value, expected = root.GetProperty("cases").GetProperty(qconfig);
        var model = Build(root.GetProperty("parameters"));
        model.Train();
        Fusion.FuseModulesQat(model, ["1", "2"]);
        PrepareQat(model, qconfig == "per_tensor" ? QConfig.DefaultQat : QConfig.PerChannelQat);
        var qat = Assert.IsType<QatLinear>(((Layer)model[1]).Substitute);
        Assert.Same(model[2], qat.BatchNorm);

        for (int i = 0; i < 2; i++) AssertStep(model, root, i, expected.GetProperty("steps")[i], $"step {i}");
        Assert.Equal(1, FreezeBatchNormStats(model));
        AssertStep(model, root, 2, expected.GetProperty("frozen"), "frozen step");

        model.Eval();
        EagerQuantization.Convert(model);
        var linear = Assert.IsType<QuantizedLinear>(((Layer)model[1]).Substitute);
        JsonElement converted = expected.GetProperty("converted");
        Assert.Equal(Convert.FromHexString(converted.GetProperty("weight").GetString()!), linear.Weight.Select(w => (byte)w).ToArray());
        float[] scales = Floats(converted.GetProperty("weight_qparams"), "scales");
        int[] zeroPoints = [.. converted.GetProperty("weight_qparams").GetProperty("zero_points").EnumerateArray().Select(z => z.GetInt32())];
        Assert.Equal(scales.Length > 1, linear.WeightQParams.IsPerChannel);
        for (int c = 0; c < scales.Length; c++)
        {
            Assert.Equal(scales[c], linear.WeightQParams.Scale(c));
            Assert.Equal(zeroPoints[c], linear.WeightQParams.ZeroPoint(c));
        }
        AssertClose(Floats(converted, "bias"), linear.Bias!, "folded bias");
        // The output range the moving average saw comes from float outputs that equal PyTorch's to rounding (the order of
        // the Linear's sums), so its scale may differ by an ulp; the weight's qparams above are exact.
        Assert.InRange(Math.Abs(BitConverter.SingleToInt32Bits((float)converted.GetProperty("scale").GetDouble()) - BitConverter.SingleToInt32Bits(linear.Output.Scale)), 0, 1);
        Assert.Equal(converted.GetProperty("zero_point").GetInt32(), linear.Output.ZeroPoint);

        var quantized = ((Layer)model[0]).Substitute!.Forward(Tensor.FromArray(Floats(root, "probe"), 4, 6));
        Assert.Equal((float)converted.GetProperty("input").GetProperty("scale").GetDouble(), quantized.QuantScale);
        Assert.Equal(Convert.FromHexString(converted.GetProperty("output").GetString()!), linear.Forward(quantized).QuantizedData);
    }

    [Fact]
    public void A_3d_input_is_refused_naming_the_layer_and_the_shape_it_takes()
    {
        var model = Build(Fixture.Value.GetProperty("parameters"));
        model.Train();
        Fusion.FuseModulesQat(model, ["1", "2"]);
        PrepareQat(model, QConfig.DefaultQat);

        var error = Assert.Throws<ShapeMismatchException>(() => model.Forward(Tensor.Zeros(2, 3, 6)));

        Assert.Contains("'1' is trained with its BatchNorm1d fused (LinearBn1d), which normalises the features of [N, 6] inputs", error.Message);
    }

    private static void AssertStep(Sequential model, JsonElement root, int index, JsonElement expected, string step)
    {
        var linear = (Linear)model[1];
        var bn = (BatchNorm1d)model[2];
        foreach (var parameter in new[] { linear.Weight, linear.Bias!, bn.Weight!, bn.Bias! }) parameter.Grad = null;
        var x = Tensor.FromArray(Floats(root.GetProperty("inputs")[index]), 8, 6);
        x.RequiresGrad = true;

        var y = model.Forward(x);
        y.Backward(Tensor.FromArray(Floats(root.GetProperty("grad_outputs")[index]), 8, 5));

        AssertClose(Floats(expected, "output"), y.Data, $"{step}: output");
        AssertClose(Floats(expected, "grad_input"), x.Grad!.Data, $"{step}: input gradient");
        AssertClose(Floats(expected, "grad_weight"), linear.Weight.Grad!.Data, $"{step}: weight gradient");
        AssertClose(Floats(expected, "grad_bias"), linear.Bias!.Grad!.Data, $"{step}: bias gradient");
        AssertClose(Floats(expected, "grad_bn_weight"), bn.Weight!.Grad!.Data, $"{step}: γ gradient");
        AssertClose(Floats(expected, "grad_bn_bias"), bn.Bias!.Grad!.Data, $"{step}: β gradient");
        AssertClose(Floats(expected, "running_mean"), bn.RunningMean.Data, $"{step}: running mean");
        AssertClose(Floats(expected, "running_var"), bn.RunningVar.Data, $"{step}: running variance");
    }

    private static Sequential Build(JsonElement parameters)
    {
        var model = new Sequential(new QuantStub(), new Linear(6, 5), new BatchNorm1d(5), new DeQuantStub());
        var linear = (Linear)model[1];
        var bn = (BatchNorm1d)model[2];
        Floats(parameters, "linear.weight").CopyTo(linear.Weight.Data, 0);
        Floats(parameters, "linear.bias").CopyTo(linear.Bias!.Data, 0);
        Floats(parameters, "bn.weight").CopyTo(bn.Weight!.Data, 0);
        Floats(parameters, "bn.bias").CopyTo(bn.Bias!.Data, 0);
        Floats(parameters, "bn.running_mean").CopyTo(bn.RunningMean.Data, 0);
        Floats(parameters, "bn.running_var").CopyTo(bn.RunningVar.Data, 0);
        return model;
    }

    private static void AssertClose(float[] expected, IReadOnlyList<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * Math.Max(1f, Math.Abs(expected[i])),
                $"{what}, value {i}: PyTorch {expected[i]:R}, QuantGen {actual[i]:R}");
        }
    }

    private static float[] Floats(JsonElement element, string name) => Floats(element.GetProperty(name));

    private static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(v => (float)v.GetDouble())];
}
