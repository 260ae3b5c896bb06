using QuantGen.Kernels;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Autograd;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Decoder;

/// <summary>
/// ConvTranspose2d against PyTorch 1.13 (decoder_ops.json): the float forward within 1e-5; eager quantization
/// (QuantStub → ConvTranspose2d → DeQuantStub, default_qconfig) gives PyTorch's float outputs bit for bit, so its observed qparams,, int8 weights and output
/// bytes exactly; the reference kernel gives PyTorch's bytes from PyTorch's own int8 input and weights.
/// </summary>
public sealed class ConvTranspose2dTests
{
    public static TheoryData<int> Cases => DecoderFixture.Indices("conv_transpose2d");

    private static ConvTranspose2d Create(System.Text.Json.JsonElement args)
    {
        int Arg(string name, int otherwise) => args.TryGetProperty(name, out var v) ? v.GetInt32() : otherwise;
        return new ConvTranspose2d(
            Arg("in_channels", 0), Arg("out_channels", 0), Arg("kernel_size", 0), Arg("stride", 1), Arg("padding", 0), Arg("output_padding", 0),
            Arg("groups", 1), !args.TryGetProperty("bias", out var bias) || bias.GetBoolean(), Arg("dilation", 1));
    }

    private static ConvTranspose2d Loaded(System.Text.Json.JsonElement c)
    {
        var layer = Create(c.GetProperty("args"));
        c.Floats("weight").CopyTo(layer.Weight.Data, 0);
        if (layer.Bias is not null) c.Floats("bias").CopyTo(layer.Bias.Data, 0);
        layer.Eval();
        return layer;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_float_forward_is_within_1e_5_of_PyTorch(int index)
    {
        var c = DecoderFixture.Case("conv_transpose2d", index);
        var output = Loaded(c).Forward(c.Tensor("input", "input_shape"));
        Assert.Equal(c.Shape("output_shape"), output.Shape.ToArray());
        // Summed in PyTorch's order, so bit for bit (well within the 1e-5 asked).
        DecoderFixture.Near(c.Floats("output"), output.Data, 0f, $"case {index}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Eager_int8_gives_PyTorchs_qparams_weights_and_bytes(int index)
    {
        var c = DecoderFixture.Case("conv_transpose2d", index);
        var model = new Sequential(new QuantStub(), Loaded(c), new DeQuantStub());
        model.Eval();
        var input = c.Tensor("input", "input_shape");
        Prepare(model, QConfig.Default);
        Calibrate(model, [input]);
        Convert(model);

        var quantized = Assert.IsType<QuantizedConvTranspose2d>(((Layer)model.GetSubmodule("1")!).Substitute);
        Assert.Equal(c.QParams("output"), quantized.Output);
        Assert.Equal(c.GetProperty("weight_scale").GetSingle(), quantized.WeightQParams.Scale(0));
        Assert.Equal(c.GetProperty("weight_int8").EnumerateArray().Select(v => (sbyte)v.GetInt32()), quantized.Weight);

        var qx = model.GetSubmodule("0")!.Forward(input);
        Assert.Equal(c.QParams("input"), new ActivationQParams(qx.QuantScale, qx.QuantZeroPoint));
        DecoderFixture.SameBytes(c.Bytes("input_int8"), qx.QuantizedData, "the quantized input");
        DecoderFixture.SameBytes(c.Bytes("output_int8"), model.GetSubmodule("1")!.Forward(qx).QuantizedData, $"case {index}, eager int8");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_reference_kernel_gives_PyTorchs_bytes_from_its_int8_input(int index)
    {
        var c = DecoderFixture.Case("conv_transpose2d", index);
        var layer = Loaded(c);
        var geometry = layer.GeometryFor(c.Tensor("input", "input_shape"));
        var weightQ = WeightQParams.PerTensor(c.GetProperty("weight_scale").GetSingle());
        var inputQ = c.QParams("input");
        int[] bias = [];
        if (layer.Bias is not null)
        {
            bias = new int[layer.OutChannels];
            Quantize.Bias(layer.Bias.Data, inputQ.Scale, weightQ, bias);
        }
        var output = new byte[geometry.OutputLength];
        QConvTranspose2d.Forward(geometry, c.Bytes("input_int8"), inputQ,
            [.. c.GetProperty("weight_int8").EnumerateArray().Select(v => (sbyte)v.GetInt32())], weightQ, bias, c.QParams("output"), output);
        DecoderFixture.SameBytes(c.Bytes("output_int8"), output, $"case {index}, reference");
        Assert.True(output.Distinct().Count() > 20, "the outputs should vary, or the comparison proves little");
    }

    [Fact]
    public void A_per_channel_qconfig_quantizes_its_weights_per_tensor_as_PyTorch_requires()
    {
        var c = DecoderFixture.Case("conv_transpose2d", 0);
        var model = new Sequential(new QuantStub(), Loaded(c), new DeQuantStub());
        model.Eval();
        Prepare(model, QConfig.PerChannelMinMax);
        Calibrate(model, [c.Tensor("input", "input_shape")]);
        Convert(model);
        var quantized = Assert.IsType<QuantizedConvTranspose2d>(((Layer)model.GetSubmodule("1")!).Substitute);
        Assert.False(quantized.WeightQParams.IsPerChannel);
        Assert.Equal(c.GetProperty("weight_scale").GetSingle(), quantized.WeightQParams.Scale(0));
    }

    [Theory]
    [InlineData(2, 1, 1, 1, 1)]
    [InlineData(1, 0, 0, 2, 2)]
    [InlineData(3, 2, 2, 1, 1)]
    public void The_gradient_matches_finite_differences_of_a_float64_reference(int stride, int padding, int outputPadding, int groups, int dilation)
    {
        var layer = new ConvTranspose2d(4, 6, 3, stride, padding, outputPadding, groups, bias: true, dilation);
        var x = GradCheck.Random(3, 2, 4, 3, 4);
        var weight = layer.Weight;
        var bias = layer.Bias!;
        var g = layer.GeometryFor(x);
        GradCheck.Check([x, weight, bias], () => layer.Forward(x), v => Reference(g, v[0], v[1], v[2]));
    }

    /// <summary>The definition in double: each output the bias plus every tap that lands on it.</summary>
    private static double[] Reference(ConvTransposeGeometry g, double[] x, double[] w, double[] b)
    {
        var y = new double[g.OutputLength];
        int outPerGroup = g.OutChannelsPerGroup, inPerGroup = g.InChannelsPerGroup, index = 0;
        for (int n = 0; n < g.Batch; n++)
            for (int oc = 0; oc < g.OutChannels; oc++)
                for (int oy = 0; oy < g.OutHeight; oy++)
                    for (int ox = 0; ox < g.OutWidth; ox++, index++)
                    {
                        double sum = b[oc];
                        int group = oc / outPerGroup;
                        for (int icg = 0; icg < inPerGroup; icg++)
                            for (int ky = 0; ky < g.KernelHeight; ky++)
                                for (int kx = 0; kx < g.KernelWidth; kx++)
                                {
                                    int iy = g.SourceRow(oy, ky), ix = g.SourceColumn(ox, kx), ic = group * inPerGroup + icg;
                                    if (iy < 0 || ix < 0) continue;
                                    sum += x[((n * g.InChannels + ic) * g.InHeight + iy) * g.InWidth + ix] *
                                        w[((ic * outPerGroup + oc % outPerGroup) * g.KernelHeight + ky) * g.KernelWidth + kx];
                                }
                        y[index] = sum;
                    }
        return y;
    }
}
