using QuantGen.Kernels;
using QuantGen.Nn;
using QuantGen.Quantization;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Decoder;

/// <summary>
/// A BatchNorm2d with no convolution to fold into, and BatchNorm2d+ReLU fused (PyTorch's BNReLU2d), against PyTorch 1.13
/// (decoder_ops.json): eager quantization gives PyTorch's observed qparams and quantized BatchNorm bytes exactly, for
/// channel counts that run every path of PyTorch's AVX2 kernel (under 8, 8 to 32, 32 and more, with tails).
/// </summary>
public sealed class BatchNorm2dTests
{
    public static TheoryData<int> Cases => DecoderFixture.Indices("batch_norm2d");

    private static (Sequential Model, Tensor Input) Prepared(int index)
    {
        var c = DecoderFixture.Case("batch_norm2d", index);
        int channels = c.GetProperty("channels").GetInt32();
        bool relu = c.GetProperty("relu").GetBoolean();
        var bn = new BatchNorm2d(channels);
        var state = c.GetProperty("state");
        state.Floats("weight").CopyTo(bn.Weight!.Data, 0);
        state.Floats("bias").CopyTo(bn.Bias!.Data, 0);
        state.Floats("running_mean").CopyTo(bn.RunningMean.Data, 0);
        state.Floats("running_var").CopyTo(bn.RunningVar.Data, 0);
        var model = relu ? new Sequential(new QuantStub(), bn, new ReLU(), new DeQuantStub()) : new Sequential(new QuantStub(), bn, new DeQuantStub());
        model.Eval();
        if (relu) FuseModules(model, ["1", "2"]);
        return (model, c.Tensor("input", "input_shape"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_float_forward_is_within_1e_5_of_PyTorch(int index)
    {
        var (model, input) = Prepared(index);
        var output = model.Forward(input);
        DecoderFixture.Near(DecoderFixture.Case("batch_norm2d", index).Floats("output"), output.Data, 1e-5f, $"case {index}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Eager_int8_gives_PyTorchs_qparams_and_bytes(int index)
    {
        var c = DecoderFixture.Case("batch_norm2d", index);
        var (model, input) = Prepared(index);
        Prepare(model, QConfig.Default);
        Calibrate(model, [input]);
        Convert(model);

        var bn = (BatchNorm2d)model.GetSubmodule("1")!;
        var quantized = Assert.IsType<QuantizedBatchNorm2d>(bn.Substitute);
        Assert.Equal(c.GetProperty("relu").GetBoolean() ? FusedActivation.ReLU : FusedActivation.None, bn.Activation);
        DecoderFixture.SameObservedQParams(c.QParams("output"), quantized.Output, $"case {index}");
        var qx = model.GetSubmodule("0")!.Forward(input);
        DecoderFixture.SameBytes(c.Bytes("input_int8"), qx.QuantizedData, "the quantized input");
        DecoderFixture.WithinOneStep(c.Bytes("output_int8"), quantized.Forward(qx).QuantizedData, $"case {index}, as calibrated");
        // With PyTorch's output qparams, PyTorch's bytes exactly.
        var qy = new QuantizedBatchNorm2d(bn, c.QParams("output")).Forward(qx);
        DecoderFixture.SameBytes(c.Bytes("output_int8"), qy.QuantizedData, $"case {index} ({c.GetProperty("fused").GetString()}, {c.GetProperty("channels")} channels)");
        Assert.True(qy.QuantizedData.Distinct().Count() > 20, "the outputs should vary, or the comparison proves little");
    }

    [Fact]
    public void Fusing_BatchNorm_with_anything_but_a_following_ReLU_is_refused_by_name()
    {
        var model = new Sequential(new BatchNorm2d(3), new ReLU6());
        model.Eval();
        var error = Assert.Throws<FusionException>(() => FuseModules(model, ["0", "1"]));
        Assert.Contains("(BatchNorm2d, ReLU)", error.Message);
    }
}
