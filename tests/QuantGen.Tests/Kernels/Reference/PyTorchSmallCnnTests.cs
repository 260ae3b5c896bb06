using QuantGen.IO;
using QuantGen.Kernels;
using QuantGen.Kernels.Reference;
using QuantGen.Tests.Infrastructure;

namespace QuantGen.Tests.Kernels.Reference;

/// <summary>The reference kernels against PyTorch 1.13's own numbers for the small CNN (qnnpack engine).</summary>
public sealed class PyTorchSmallCnnTests
{
    public const string PerTensor = "minmax_per_tensor", PerChannel = "histogram_per_channel";

    [Fact]
    public void Fc2WeightsQuantizeToPyTorchsInt8()
    {
        // fc2's input is fc1's output, whose qparams the observers record.
        var truth = SmallCnnTruth.Load(PerTensor);
        Assert.Equal(truth.Observed("fc1"), truth.Output("fc1"));
        float[] weight = SafeTensors.Load(Fixtures.SmallCnnWeights)["fc2.weight"].ToFloat32();
        var result = new sbyte[weight.Length];

        Quantize.Weights(weight, 10, truth.WeightQParamsOf("fc2"), result);

        Assert.Equal(320, result.Length);
        Assert.Equal(truth.WeightInt8("fc2"), result);
    }

    /// <summary>Every layer whose weights reach the quantizer unchanged (conv1's are BatchNorm-folded first).</summary>
    [Theory]
    [InlineData(PerTensor, "fc1", 32)]
    [InlineData(PerTensor, "conv2", 16)]
    [InlineData(PerChannel, "fc1", 32)]
    [InlineData(PerChannel, "fc2", 10)]
    [InlineData(PerChannel, "conv2", 16)]
    public void UnfoldedWeightsQuantizeToPyTorchsInt8(string config, string layer, int outChannels)
    {
        var truth = SmallCnnTruth.Load(config);
        float[] weight = SafeTensors.Load(Fixtures.SmallCnnWeights)[layer + ".weight"].ToFloat32();
        var result = new sbyte[weight.Length];

        Quantize.Weights(weight, outChannels, truth.WeightQParamsOf(layer), result);

        Assert.Equal(truth.WeightInt8(layer), result);
    }

    /// <summary>
    /// The whole int8 model, kernel by kernel, from the fixture's weights and qparams: quantize → conv1+ReLU →
    /// maxpool → conv2+ReLU → maxpool → flatten → fc1+ReLU → fc2 → dequantize gives PyTorch's int8 logits exactly.
    /// conv1's int8 weights come from the fixture (they were BatchNorm-folded there); its float bias is folded here
    /// in PyTorch's order, <c>(0 − mean)·rsqrt(var + eps)·γ + β</c>, in float32.
    /// </summary>
    [Theory]
    [InlineData(PerTensor)]
    [InlineData(PerChannel)]
    public void Int8PipelineReproducesPyTorchsLogits(string config)
    {
        const int batch = 16;
        var truth = SmallCnnTruth.Load(config);
        StateDict weights = SafeTensors.Load(Fixtures.SmallCnnWeights);

        var input = truth.Observed("quant");
        byte[] x = new byte[batch * 28 * 28];
        Quantize.Activations(Fixtures.LoadProbeImages().Data, input, x);

        var conv1 = new ConvGeometry(batch, 1, 28, 28, 8, 3, 3, PadHeight: 1, PadWidth: 1);
        byte[] y1 = Conv(conv1, x, input, truth, "conv1", FoldedConv1Bias(weights));
        byte[] p1 = MaxPool2x2(y1, batch * 8, 28);

        var conv2 = new ConvGeometry(batch, 8, 14, 14, 16, 3, 3, PadHeight: 1, PadWidth: 1);
        byte[] y2 = Conv(conv2, p1, truth.Output("conv1"), truth, "conv2", weights["conv2.bias"].ToFloat32());
        ReadOnlySpan<byte> flat = QFlatten.Forward(MaxPool2x2(y2, batch * 16, 14));

        byte[] h = Linear(flat, truth.Output("conv2"), truth, "fc1", weights["fc1.bias"].ToFloat32(), batch, 784, 32, FusedActivation.ReLU);
        byte[] logits = Linear(h, truth.Output("fc1"), truth, "fc2", weights["fc2.bias"].ToFloat32(), batch, 32, 10, FusedActivation.None);
        var dequantized = new float[logits.Length];
        Dequantize.Activations(logits, truth.Output("fc2"), dequantized);

        Assert.Equal(truth.Int8Logits(), dequantized);
    }

    private static float[] FoldedConv1Bias(StateDict weights)
    {
        float[] mean = weights["bn1.running_mean"].ToFloat32(), variance = weights["bn1.running_var"].ToFloat32();
        float[] gamma = weights["bn1.weight"].ToFloat32(), beta = weights["bn1.bias"].ToFloat32();
        var bias = new float[mean.Length];
        for (int c = 0; c < bias.Length; c++)
        {
            float inverseStd = 1f / MathF.Sqrt(variance[c] + 1e-5f);
            bias[c] = (0f - mean[c]) * inverseStd * gamma[c] + beta[c];
        }
        return bias;
    }

    private static byte[] Conv(ConvGeometry g, byte[] x, ActivationQParams inputQ, SmallCnnTruth.ConfigView truth, string layer, float[] floatBias)
    {
        WeightQParams weightQ = truth.WeightQParamsOf(layer);
        var bias = new int[g.OutChannels];
        Quantize.Bias(floatBias, inputQ.Scale, weightQ, bias);
        var y = new byte[g.OutputLength];
        QConv2d.Forward(g, x, inputQ, truth.WeightInt8(layer), weightQ, bias, truth.Output(layer), FusedActivation.ReLU, y);
        return y;
    }

    private static byte[] Linear(
        ReadOnlySpan<byte> x, ActivationQParams inputQ, SmallCnnTruth.ConfigView truth, string layer, float[] floatBias,
        int batch, int inFeatures, int outFeatures, FusedActivation activation)
    {
        WeightQParams weightQ = truth.WeightQParamsOf(layer);
        var bias = new int[outFeatures];
        Quantize.Bias(floatBias, inputQ.Scale, weightQ, bias);
        var y = new byte[batch * outFeatures];
        QLinear.Forward(x, inputQ, truth.WeightInt8(layer), weightQ, bias, batch, inFeatures, outFeatures, truth.Output(layer), activation, y);
        return y;
    }

    private static byte[] MaxPool2x2(byte[] x, int planes, int size)
    {
        var y = new byte[planes * (size / 2) * (size / 2)];
        QMaxPool2d.Forward(new PoolGeometry(planes, size, size, 2, 2, 2, 2), x, y);
        return y;
    }
}
